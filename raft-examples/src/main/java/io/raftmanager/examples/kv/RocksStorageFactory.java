package io.raftmanager.examples.kv;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.storage.rocksdb.RocksLogEngine;
import io.raftmanager.storage.rocksdb.RocksLogEngineConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The durable log: a RocksDB engine under {@code <data>/raft-log} holding this node's one group, with
 * the group's snapshots in files beside the database ({@link RocksLogEngine#snapshotStore}). The engine
 * checks that the directory belongs to this cluster and node; closing the returned storage closes the
 * engine too.
 */
public final class RocksStorageFactory implements LogStorageFactory {
    static final long GROUP_ID = 0;

    @Override
    public LogStorage open(Path dataDir, String clusterId, long nodeId, Set<Long> voters) {
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
            for (int g = 0; g < groups; g++) {
                try {
                    logs.add(opening.get(g).get());
                    stores.add(engine.snapshotStore(g));
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
        } catch (RuntimeException e) {
            logs.forEach(LogStorage::close);
            engine.close();
            throw e;
        } finally {
            pool.shutdown();
        }
        return new GroupLogs(logs, stores, engine::close);
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
