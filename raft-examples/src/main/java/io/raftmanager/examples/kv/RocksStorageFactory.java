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

    /** One RocksDB engine for every group: its group commit spans the groups. */
    @Override
    public GroupLogs openGroups(Path dataDir, String clusterId, long nodeId, Set<Long> voters, int groups) {
        RocksLogEngine engine =
                RocksLogEngine.open(RocksLogEngineConfig.builder(dataDir.resolve("raft-log"), clusterId, nodeId)
                        .build());
        Membership.Builder m = Membership.newBuilder();
        voters.stream().sorted().forEach(m::addVoters);
        List<LogStorage> logs = new java.util.ArrayList<>(groups);
        List<SnapshotStore> stores = new java.util.ArrayList<>(groups);
        try {
            for (int g = 0; g < groups; g++) {
                logs.add(engine.group(g, m.build()));
                stores.add(engine.snapshotStore(g));
            }
        } catch (RuntimeException e) {
            logs.forEach(LogStorage::close);
            engine.close();
            throw e;
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
