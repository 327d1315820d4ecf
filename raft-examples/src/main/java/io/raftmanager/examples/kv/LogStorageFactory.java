package io.raftmanager.examples.kv;

import io.raftmanager.spi.LogStorage;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the node's Raft log. The one seam between the KV node and a storage engine: switching engines is
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
