package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A test state machine: adds each command's number to a counter and records every applied index. Its
 * snapshot, if made {@link #withSnapshots()}, is the counter.
 */
final class CounterStateMachine implements StateMachine {
    private long value;
    private boolean snapshots;

    /** A counter that also supports snapshots. */
    static CounterStateMachine withSnapshots() {
        CounterStateMachine sm = new CounterStateMachine();
        sm.snapshots = true;
        return sm;
    }

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

    @Override
    public StateSnapshot snapshot(long appliedIndex) {
        if (!snapshots) {
            return null;
        }
        long captured = value;
        return out -> new DataOutputStream(out).writeLong(captured);
    }

    @Override
    public void restore(SnapshotInfo meta, InputStream in) throws IOException {
        value = new DataInputStream(in).readLong();
    }
}
