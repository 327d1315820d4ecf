package io.raftmanager.examples.kv;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.WriteCompletion;
import io.raftmanager.storage.rocksdb.RocksLogEngine;
import io.raftmanager.storage.rocksdb.RocksLogEngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable log: a RocksDB engine under {@code <data>/raft-log} holding this node's one group, with
 * the group's snapshots in files beside the database ({@link RocksLogEngine#snapshotStore}). The engine
 * checks that the directory belongs to this cluster and node; closing the returned storage closes the
 * engine too.
 */
public final class RocksStorageFactory implements LogStorageFactory {
    private static final Logger LOG = LoggerFactory.getLogger(RocksStorageFactory.class);
    static final long GROUP_ID = 0;

    /**
     * Opens the log. If RocksDB itself reports corruption it cannot get past (a damaged table or
     * manifest), the database directory is set aside as {@code raft-log.corrupt-<millis>} (kept for
     * inspection, never deleted) and the node starts from an empty log marked recovering: it learns its
     * state again from its peers before it votes (docs/storage-faults.md), rather than failing every start.
     */
    @Override
    public LogStorage open(Path dataDir, String clusterId, long nodeId, Set<Long> voters) {
        try {
            return openOnce(dataDir, clusterId, nodeId, voters);
        } catch (StorageException e) {
            if (!isCorruption(e)) {
                throw e;
            }
            return setAsideAndOpenEmpty(dataDir, clusterId, nodeId, voters, e);
        }
    }

    /**
     * Moves {@code raft-log} (the database and the snapshots beside it) to {@code raft-log.corrupt-<millis>},
     * never deleting it, and opens an empty log marked recovering.
     */
    @Override
    public LogStorage setAsideAndOpenEmpty(
            Path dataDir, String clusterId, long nodeId, Set<Long> voters, RuntimeException damage) {
        Path db = dataDir.resolve("raft-log");
        Path aside = dataDir.resolve("raft-log.corrupt-" + System.currentTimeMillis());
        LOG.warn(
                "the Raft log or snapshot in {} is damaged ({}); moved to {}, starting empty and recovering from peers",
                db,
                damage.getMessage(),
                aside);
        try {
            Files.move(db, aside);
        } catch (IOException io) {
            damage.addSuppressed(io);
            throw damage;
        }
        LogStorage fresh = openOnce(dataDir, clusterId, nodeId, voters);
        HardState hs = fresh.initialState().hardState();
        fresh.write(new LogBatch(hs.toBuilder().setRecovering(true).build(), List.of(), true));
        return fresh;
    }

    private static boolean isCorruption(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RocksDBException r
                    && r.getStatus() != null
                    && r.getStatus().getCode() == Status.Code.Corruption) {
                return true;
            }
        }
        return false;
    }

    private static LogStorage openOnce(Path dataDir, String clusterId, long nodeId, Set<Long> voters) {
        RocksLogEngine engine =
                RocksLogEngine.open(RocksLogEngineConfig.builder(dataDir.resolve("raft-log"), clusterId, nodeId)
                        .build());
        Membership.Builder m = Membership.newBuilder();
        voters.stream().sorted().forEach(m::addVoters);
        try {
            return new EngineOwning(engine, engine.group(GROUP_ID, m.build()));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    private static final int OPENING_THREADS = 32;

    /** One RocksDB engine for every group: its group commit spans the groups. */
    @Override
    public GroupLogs openGroups(Path dataDir, String clusterId, long nodeId, Set<Long> voters, int groups) {
        RocksLogEngine engine =
                RocksLogEngine.open(RocksLogEngineConfig.builder(dataDir.resolve("raft-log"), clusterId, nodeId)
                        .build());
        Membership.Builder m = Membership.newBuilder();
        voters.stream().sorted().forEach(m::addVoters);
        Membership members = m.build();
        List<LogStorage> logs = new java.util.ArrayList<>(groups);
        List<SnapshotStore> stores = new java.util.ArrayList<>(groups);
        // Opened from several threads: a new group's first (durable) write then shares its fsync with
        // others', so 10,000 new groups cost a few hundred fsyncs, not 10,000.
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(Math.min(OPENING_THREADS, groups));
        List<java.util.concurrent.Future<LogStorage>> opening = new java.util.ArrayList<>(groups);
        try {
            for (int g = 0; g < groups; g++) {
                long id = g;
                opening.add(pool.submit(() -> engine.group(id, members)));
            }
            RuntimeException failed = null;
            java.util.Map<Integer, RuntimeException> damaged = new java.util.TreeMap<>();
            for (int g = 0; g < groups; g++) {
                try {
                    logs.add(opening.get(g).get());
                    try {
                        stores.add(engine.snapshotStore(g));
                    } catch (StorageException e) { // a snapshot file of this group whose trailer does not verify
                        stores.add(null);
                        damaged.put(g, e);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = failed != null
                            ? failed
                            : e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed = failed != null ? failed : new IllegalStateException("interrupted opening the logs", e);
                }
            }
            if (failed != null) {
                throw failed;
            }
            for (java.util.Map.Entry<Integer, RuntimeException> d : damaged.entrySet()) {
                resetGroup(dataDir, engine, members, logs, stores, d.getKey(), d.getValue());
            }
        } catch (RuntimeException e) {
            logs.forEach(LogStorage::close);
            engine.close();
            throw e;
        } finally {
            pool.shutdown();
        }
        return new GroupLogs(
                logs,
                stores,
                engine::close,
                () -> new SyncCounts(engine.syncCount(), engine.syncedWriteCount()),
                (g, damage) -> resetGroup(dataDir, engine, members, logs, stores, g, damage));
    }

    @Override
    public SyncCounts syncCounts(LogStorage log) {
        return log instanceof EngineOwning owning
                ? new SyncCounts(owning.engine().syncCount(), owning.engine().syncedWriteCount())
                : SyncCounts.NONE;
    }

    /**
     * One group's state is lost but the database is sound (its local snapshot is damaged and the log is
     * compacted behind it): its snapshots go aside as {@code raft-log.corrupt-<millis>-group-<g>} (kept,
     * never deleted), the group is emptied and marked recovering in the engine, and opened again; the other
     * groups are untouched.
     */
    private static void resetGroup(
            Path dataDir,
            RocksLogEngine engine,
            Membership members,
            List<LogStorage> logs,
            List<SnapshotStore> stores,
            int g,
            RuntimeException damage) {
        logs.get(g).close();
        if (stores.get(g) != null) {
            try {
                stores.get(g).close();
            } catch (Exception e) {
                LOG.debug("closing group {}'s snapshot store", g, e);
            }
        }
        Path snapshots = dataDir.resolve("raft-log").resolve("snapshots").resolve("group-" + g);
        Path aside = dataDir.resolve("raft-log.corrupt-" + System.currentTimeMillis() + "-group-" + g);
        try {
            if (Files.exists(snapshots)) {
                Files.move(snapshots, aside);
            }
        } catch (IOException e) {
            damage.addSuppressed(e);
            throw damage;
        }
        engine.resetGroup(g, members);
        LOG.warn(
                "group {}: its local state is damaged ({}); its snapshots are set aside in {} and it starts empty,"
                        + " recovering from its peers",
                g,
                damage.getMessage(),
                aside);
        logs.set(g, engine.group(g, members));
        stores.set(g, engine.snapshotStore(g));
    }

    @Override
    public SnapshotStore snapshotStore(LogStorage storage) {
        if (!(storage instanceof EngineOwning owning)) {
            throw new IllegalArgumentException("not a log this factory opened: " + storage);
        }
        return owning.engine().snapshotStore(GROUP_ID);
    }

    /** A group's storage that also owns (and closes) its engine. */
    private record EngineOwning(RocksLogEngine engine, LogStorage storage) implements LogStorage {
        @Override
        public PersistentState initialState() {
            return storage.initialState();
        }

        @Override
        public void write(LogBatch batch) {
            storage.write(batch);
        }

        @Override
        public void writeAsync(List<LogBatch> batches, WriteCompletion done) {
            storage.writeAsync(batches, done); // the engine's committer thread: no disk thread held for the sync
        }

        @Override
        public boolean queuesWrites() {
            return storage.queuesWrites();
        }

        @Override
        public void compact(long upToIndex) {
            storage.compact(upToIndex);
        }

        @Override
        public long firstIndex() {
            return storage.firstIndex();
        }

        @Override
        public long lastIndex() {
            return storage.lastIndex();
        }

        @Override
        public long term(long index) {
            return storage.term(index);
        }

        @Override
        public List<Entry> entries(long from, long toExclusive, long maxBytes) {
            return storage.entries(from, toExclusive, maxBytes);
        }

        @Override
        public SnapshotMeta snapshot() {
            return storage.snapshot();
        }

        @Override
        public void close() {
            try {
                storage.close();
            } finally {
                engine.close();
            }
        }
    }
}
