package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.StorageException;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One group's write, planned and encoded by the calling thread against the group's current view, then
 * written by the {@link GroupCommitter} inside a merged batch and applied to the view. The operations
 * are, in order: the snapshot record and the deletion of the entries it discards; the deletion of the
 * conflicting suffix; the new entries; the hard state. Within one WriteBatch a later put wins over an
 * earlier DeleteRange of the same key.
 */
final class WritePlan {
    final RocksLogStorage storage;
    final boolean sync;

    /** New snapshot meta (installed snapshot or compaction point), or null. */
    SnapshotMeta snapshot;

    byte[] snapshotValue;
    /** True when the log agrees with {@link #snapshot} and the entries after it are kept. */
    boolean snapshotAgrees;
    /** Entries {@code [0, discardTo)} are deleted; 0 for none. */
    long discardTo;

    /** Entries {@code [truncateFrom, truncateTo)} are deleted before the new ones are put; 0 for none. */
    long truncateFrom;

    long truncateTo;
    List<Entry> entries = List.of();
    byte[][] entryKeys = new byte[0][];
    byte[][] entryValues = new byte[0][];
    HardState hardState;
    byte[] hardStateValue;

    // Set by the committer under its lock.
    long round;
    boolean written;
    /** A {@link StorageException}, or a {@link io.raftmanager.spi.StorageFullException}. */
    RuntimeException error;

    WritePlan(RocksLogStorage storage, boolean sync) {
        this.storage = storage;
        this.sync = sync;
    }

    void addTo(WriteBatch batch, ColumnFamilyHandle log, ColumnFamilyHandle state) throws RocksDBException {
        long g = storage.groupId;
        if (snapshot != null) {
            batch.put(state, Keys.state(g, Keys.SNAPSHOT), snapshotValue);
        }
        if (discardTo > 0) {
            batch.deleteRange(log, Keys.entry(g, 0), Keys.entry(g, discardTo));
        }
        if (truncateFrom > 0) {
            batch.deleteRange(log, Keys.entry(g, truncateFrom), Keys.entry(g, truncateTo));
        }
        for (int i = 0; i < entryValues.length; i++) {
            batch.put(log, entryKeys[i], entryValues[i]);
        }
        if (hardState != null) {
            batch.put(state, Keys.state(g, Keys.HARD_STATE), hardStateValue);
        }
    }
}
