package io.raftmanager.examples.kv;

import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the node's Raft log and its snapshot store. The one seam between the KV node and a storage engine: switching engines is
 * a change to {@link #forName}.
 */
@FunctionalInterface
public interface LogStorageFactory {
    /**
     * Opens (or creates) the log under {@code dataDir}.
     *
     * @param voters the initial voters when the log is new; empty for a node that waits to be added (--join)
     */
    LogStorage open(Path dataDir, String clusterId, long nodeId, Set<Long> voters);

    /**
     * The snapshot store that goes with {@code storage} (which this factory opened): durable exactly when
     * the log is, since a compacted log needs its snapshot to restart. By default an in-memory store.
     */
    default SnapshotStore snapshotStore(LogStorage storage) {
        return new MemorySnapshotStore();
    }

    /**
     * For a log or snapshot found damaged at start-up: sets the node's log and snapshots aside (kept for
     * inspection) and opens an empty log marked recovering, so the node learns its state again from its
     * peers (docs/storage-faults.md). the damaged storage must be closed first. The default cannot, and
     * rethrows {@code damage}.
     */
    default LogStorage setAsideAndOpenEmpty(
            Path dataDir, String clusterId, long nodeId, Set<Long> voters, RuntimeException damage) {
        throw damage;
    }

    /**
     * The factory for a {@code --storage} name.
     *
     * @throws IllegalArgumentException for an unknown or unavailable engine
     */
    static LogStorageFactory forName(String name) {
        switch (name) {
            case "memory":
                return new MemoryStorageFactory();
            case "rocksdb":
                return new RocksStorageFactory();
            default:
                throw new IllegalArgumentException("unknown --storage '" + name + "' (expected memory or rocksdb)");
        }
    }
}
