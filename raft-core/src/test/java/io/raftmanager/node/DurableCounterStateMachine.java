package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import java.util.HashMap;
import java.util.Map;

/**
 * A state machine that persists its own state on every apply, as one backed by its own database does,
 * and so meets entries again after a restart (the node replays the log after the latest snapshot, and
 * there is none here). It follows the re-apply contract of {@link StateMachine#apply}: the applied index
 * is stored with the state, and an index at or below it changes nothing and returns the result it
 * returned the first time. The naive variant (a planted bug) applies every entry it is given.
 */
final class DurableCounterStateMachine implements StateMachine {
    /** What survives a restart: written together with each apply, as one atomic database write. */
    static final class Disk {
        long appliedIndex;
        long value;
        /** The result of every applied index a replay may ask for again (all of them: no snapshots). */
        final Map<Long, ByteString> results = new HashMap<>();
    }

    private final Disk disk;
    private final boolean naive;
    long reapplied;

    DurableCounterStateMachine(Disk disk, boolean naive) {
        this.disk = disk;
        this.naive = naive;
    }

    @Override
    public ByteString apply(long index, ByteString command) {
        if (!naive && index <= disk.appliedIndex) {
            reapplied++;
            return disk.results.get(index);
        }
        disk.value += Long.parseLong(command.toStringUtf8());
        disk.appliedIndex = index;
        ByteString result = ByteString.copyFromUtf8(Long.toString(disk.value));
        disk.results.put(index, result);
        return result;
    }

    @Override
    public ByteString query(ByteString query) {
        return ByteString.copyFromUtf8(Long.toString(disk.value));
    }
}
