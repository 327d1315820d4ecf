package io.raftmanager.sim;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a crashed server's disk may lose, and whether its storage can tell: a wiped disk looks like a new
 * one (nothing to detect), while a partial loss or a damaged record is detected by the storage (a record
 * missing beside others, a checksum that fails) and reported as {@code lost}. A damaged record leaves the
 * prefix of the log before it, as a storage that stops reading at the first bad record does.
 */
enum SimDiskFault {
    /** The whole data directory is gone: a replaced disk, a container on an empty volume. */
    WIPE(false),
    /** The hard state record is gone; the log and snapshot survive. */
    LOG_WITHOUT_HARD_STATE(true),
    /** The log and snapshot are gone; the hard state survives. */
    HARD_STATE_WITHOUT_LOG(true),
    /** Only the snapshot survives. */
    SNAPSHOT_WITHOUT_LOG(true),
    /** A record in the middle of the log fails its checksum: the log is kept up to the record before. */
    CORRUPT_RECORD(true);

    /** The storage notices and reports the loss at start-up. */
    final boolean detected;

    SimDiskFault(boolean detected) {
        this.detected = detected;
    }

    static SimDiskFault draw(SplittableRandom r) {
        return values()[r.nextInt(values().length)];
    }

    /** The disk after this fault, from what {@code old} held; {@code bootstrap} is the initial membership. */
    MemoryLogStorage apply(MemoryLogStorage old, Membership bootstrap, SplittableRandom r, boolean storageDetects) {
        MemoryLogStorage disk = new MemoryLogStorage(bootstrap);
        HardState hs = old.initialState().hardState();
        SnapshotMeta snap = old.snapshot().getIndex() > 0 ? old.snapshot() : null;
        List<Entry> entries = old.firstIndex() <= old.lastIndex()
                ? old.entries(old.firstIndex(), old.lastIndex() + 1, Long.MAX_VALUE)
                : List.of();
        switch (this) {
            case WIPE -> {}
            case LOG_WITHOUT_HARD_STATE -> disk.write(new LogBatch(null, entries, snap, true));
            case HARD_STATE_WITHOUT_LOG -> disk.write(new LogBatch(hs, List.of(), null, true));
            case SNAPSHOT_WITHOUT_LOG -> {
                if (snap != null) {
                    disk.write(new LogBatch(null, List.of(), snap, true));
                }
            }
            case CORRUPT_RECORD -> {
                int keep = entries.isEmpty() ? 0 : r.nextInt(entries.size());
                long last = (snap == null ? 0 : snap.getIndex()) + keep;
                if (!storageDetects && hs.getCommit() > last) {
                    // Undetected, as a WAL replay that stops at the bad record: later hard states go too.
                    hs = hs.toBuilder().setCommit(last).build();
                }
                disk.write(new LogBatch(hs, entries.subList(0, keep), snap, true));
            }
        }
        return disk;
    }

    /** Whether the server's snapshot files survive too. */
    boolean keepsSnapshots() {
        return this == LOG_WITHOUT_HARD_STATE || this == SNAPSHOT_WITHOUT_LOG || this == CORRUPT_RECORD;
    }
}
