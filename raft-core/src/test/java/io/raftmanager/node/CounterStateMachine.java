package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A test state machine: adds each command's number to a counter and records every applied index. */
final class CounterStateMachine implements StateMachine {
    private long value;
    final List<Long> appliedIndexes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public ByteString apply(long index, ByteString command) {
        appliedIndexes.add(index);
        value += Long.parseLong(command.toStringUtf8());
        return ByteString.copyFromUtf8(Long.toString(value));
    }

    @Override
    public ByteString query(ByteString query) {
        return ByteString.copyFromUtf8(Long.toString(value));
    }
}
