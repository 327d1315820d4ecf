package io.raftmanager.spi;

import io.raftmanager.proto.SnapshotMeta;

/** Snapshot identity: two metas name the same snapshot when index, term and checksum agree. */
public final class SnapshotIds {
    private SnapshotIds() {}

    /** Whether {@code a} and {@code b} name the same snapshot. */
    public static boolean same(SnapshotMeta a, SnapshotMeta b) {
        return a.getIndex() == b.getIndex() && a.getTerm() == b.getTerm() && a.getChecksum() == b.getChecksum();
    }

    /** A short stable description: term/index (crc). */
    public static String describe(SnapshotMeta m) {
        return m.getTerm() + "/" + m.getIndex() + " (crc " + Integer.toHexString(m.getChecksum()) + ")";
    }
}
