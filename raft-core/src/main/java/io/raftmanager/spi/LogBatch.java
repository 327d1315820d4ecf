package io.raftmanager.spi;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.SnapshotMeta;
import java.util.List;

/**
 * One atomic write to a {@link LogStorage}, applied in this order:
 *
 * <ol>
 *   <li>{@code snapshot}, if present: the log now starts after {@code snapshot.getIndex()}. Entries up to
 *       it are discarded; entries after it are kept only if the stored entry at the snapshot's index has
 *       the snapshot's term (the log agrees with the snapshot), otherwise the whole log is discarded.
 *       The snapshot's membership becomes the persisted membership.
 *   <li>{@code entries}: contiguous and ascending; the first index is at most {@code lastIndex() + 1},
 *       and every stored entry at or after it is replaced (the conflicting suffix is truncated, Raft
 *       §5.3).
 *   <li>{@code hardState}, if present, replaces the stored one.
 * </ol>
 *
 * @param hardState the new hard state, or {@code null} if unchanged
 * @param entries the entries to append, possibly empty
 * @param snapshot the metadata of a snapshot just installed, or {@code null}
 * @param sync whether the write must be durable (fsync) before {@link LogStorage#write} returns
 */
public record LogBatch(HardState hardState, List<Entry> entries, SnapshotMeta snapshot, boolean sync) {
    public LogBatch {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
                throw new IllegalArgumentException("entries are not contiguous at position " + i);
            }
        }
        if (snapshot != null && !entries.isEmpty() && entries.get(0).getIndex() <= snapshot.getIndex()) {
            throw new IllegalArgumentException("entries start at "
                    + entries.get(0).getIndex() + ", inside the snapshot ending at " + snapshot.getIndex());
        }
    }

    /** A batch of entries and hard state, without a snapshot. */
    public LogBatch(HardState hardState, List<Entry> entries, boolean sync) {
        this(hardState, entries, null, sync);
    }

    /** True when the batch changes nothing. */
    public boolean isEmpty() {
        return hardState == null && entries.isEmpty() && snapshot == null;
    }
}
