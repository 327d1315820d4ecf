package io.raftmanager.spi;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import java.util.List;

/**
 * One atomic write to a {@link LogStorage}.
 *
 * <p>Invariants: {@code entries} are contiguous and ascending. If non-empty, the first entry's index is
 * at most {@code lastIndex() + 1} of the storage, and every stored entry at or after it is replaced
 * (the conflicting suffix is truncated, Raft §5.3).
 *
 * @param hardState the new hard state, or {@code null} if unchanged
 * @param entries the entries to append, possibly empty
 * @param sync whether the write must be durable (fsync) before {@link LogStorage#write} returns
 */
public record LogBatch(HardState hardState, List<Entry> entries, boolean sync) {
    public LogBatch {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
                throw new IllegalArgumentException("entries are not contiguous at position " + i);
            }
        }
    }

    /** True when the batch changes nothing. */
    public boolean isEmpty() {
        return hardState == null && entries.isEmpty();
    }
}
