package io.raftmanager.examples.kv;

import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.nio.file.Path;
import java.util.Set;

/**
 * An in-memory log: nothing survives the process. A restarted node starts empty and catches up from the
 * leader (the log is never compacted yet), but it also forgets its term and vote, which Raft's safety
 * argument needs on disk: for tests only. The default is {@link RocksStorageFactory}.
 */
public final class MemoryStorageFactory implements LogStorageFactory {
    @Override
    public LogStorage open(Path dataDir, String clusterId, long nodeId, Set<Long> voters) {
        Membership.Builder m = Membership.newBuilder();
        voters.stream().sorted().forEach(m::addVoters);
        return new MemoryLogStorage(m.build());
    }
}
