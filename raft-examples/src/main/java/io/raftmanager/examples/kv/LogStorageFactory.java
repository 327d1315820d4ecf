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
     * Opens (or creates) the logs and snapshot stores of groups {@code 0..groups-1}, for a node sharded over
     * several groups. By default each group gets a log of its own from {@link #open}; an engine that holds
     * many groups in one database overrides this.
     */
    default GroupLogs openGroups(Path dataDir, String clusterId, long nodeId, Set<Long> voters, int groups) {
        java.util.List<LogStorage> logs = new java.util.ArrayList<>(groups);
        java.util.List<SnapshotStore> stores = new java.util.ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            LogStorage log = open(dataDir.resolve("group-" + g), clusterId, nodeId, voters);
            logs.add(log);
            stores.add(snapshotStore(log));
        }
        return new GroupLogs(logs, stores, () -> {}, () -> SyncCounts.NONE);
    }

    /** WAL syncs of {@code log}'s engine so far, for a log {@link #open} returned; none by default. */
    default SyncCounts syncCounts(LogStorage log) {
        return SyncCounts.NONE;
    }

    /**
     * Group commit at work: {@code syncs} fsyncs made {@code syncedWrites} synced writes durable (of every
     * group sharing the engine).
     */
    record SyncCounts(long syncs, long syncedWrites) {
        /** Not counted. */
        public static final SyncCounts NONE = new SyncCounts(0, 0);
    }

    /** Empties one group of a node sharded over several groups; see {@link GroupLogs#reset}. */
    @FunctionalInterface
    interface GroupReset {
        void reset(int group, RuntimeException damage);
    }

    /**
     * The storage of a node's groups, by group id.
     *
     * @param engine closed after every group's log and store (what the groups share; may do nothing)
     * @param reset for a group whose local state is found lost at start-up (a damaged snapshot, with the log
     *     compacted behind it): closes its log and store, sets its snapshots aside, and replaces them in
     *     {@code logs} and {@code snapshots} with an empty log marked recovering and a fresh store; by
     *     default it cannot, and rethrows the damage
     * @param syncs the shared engine's {@link SyncCounts}
     */
    record GroupLogs(
            java.util.List<LogStorage> logs,
            java.util.List<SnapshotStore> snapshots,
            Runnable engine,
            GroupReset reset,
            java.util.function.Supplier<SyncCounts> syncs) {
        GroupLogs(
                java.util.List<LogStorage> logs,
                java.util.List<SnapshotStore> snapshots,
                Runnable engine,
                java.util.function.Supplier<SyncCounts> syncs) {
            this(
                    logs,
                    snapshots,
                    engine,
                    (group, damage) -> {
                        throw damage;
                    },
                    syncs);
        }

        /** Closes every store and log, then what they share; the first failure is rethrown after all ran. */
        public void close() {
            RuntimeException first = null;
            for (int g = 0; g < logs.size(); g++) {
                for (AutoCloseable c : java.util.List.<AutoCloseable>of(snapshots.get(g), logs.get(g))) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        first = first == null ? new IllegalStateException("closing group " + g, e) : first;
                    }
                }
            }
            engine.run();
            if (first != null) {
                throw first;
            }
        }
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
