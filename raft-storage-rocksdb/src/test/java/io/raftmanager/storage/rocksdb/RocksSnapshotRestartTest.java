package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.storage.file.FileSnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on RocksDB with the engine's {@link FileSnapshotStore}: it snapshots and compacts its durable
 * log, and after a restart resumes from the latest snapshot plus the log after it, with the same state.
 */
class RocksSnapshotRestartTest {
    @TempDir
    Path dir;

    /** Sums its commands; snapshots are the sum and the count. */
    static final class Sum implements StateMachine {
        volatile long sum;
        volatile long count;
        int restores;

        @Override
        public ByteString apply(long index, ByteString command) {
            sum += Long.parseLong(command.toStringUtf8());
            count++;
            return ByteString.copyFromUtf8(Long.toString(sum));
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(sum + "/" + count);
        }

        @Override
        public StateSnapshot snapshot(long appliedIndex) {
            long s = sum;
            long c = count;
            return out -> {
                DataOutputStream d = new DataOutputStream(out);
                d.writeLong(s);
                d.writeLong(c);
                d.flush();
            };
        }

        @Override
        public void restore(SnapshotInfo meta, InputStream in) throws IOException {
            DataInputStream d = new DataInputStream(in);
            sum = d.readLong();
            count = d.readLong();
            restores++;
        }
    }

    private RaftNode node(RocksLogEngine engine, SnapshotStore store, Sum sm, LocalNetwork net) {
        net.transport(1).reopen();
        RaftNode n = RaftNode.builder()
                .config(RaftConfig.builder()
                        .nodeId(1)
                        .clusterId("test-cluster")
                        .groupId(5)
                        .tickMillis(10)
                        .snapshot(SnapshotConfig.builder()
                                .everyEntries(10)
                                .trailingEntries(3)
                                .build())
                        .build())
                .storage(engine.group(5, Membership.newBuilder().addVoters(1).build()))
                .snapshotStore(store)
                .transport(net.transport(1))
                .stateMachine(sm)
                .random(new SplittableRandom(1))
                .build();
        n.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (n.status().join().role() != Role.LEADER) {
            assertTrue(System.nanoTime() < deadline, "no leader");
            Thread.onSpinWait();
        }
        return n;
    }

    @Test
    void restartResumesFromTheLatestSnapshotAndTheCompactedLog() throws Exception {
        LocalNetwork net = new LocalNetwork();
        Sum first = new Sum();
        long firstIndex;
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RaftNode n = node(engine, engine.snapshotStore(5), first, net);
            for (int i = 1; i <= 47; i++) {
                n.propose(ByteString.copyFromUtf8(Integer.toString(i))).get(10, TimeUnit.SECONDS);
            }
            SnapshotInfo meta = n.snapshotNow().get(10, TimeUnit.SECONDS);
            assertTrue(meta.index() >= 47);
            n.close();
            net.transport(1).close();
        }
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            firstIndex = engine.group(5, Membership.getDefaultInstance()).firstIndex();
        }
        assertTrue(firstIndex > 20, "log not compacted: first index " + firstIndex);
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            Sum second = new Sum();
            RaftNode n = node(engine, engine.snapshotStore(5), second, net);
            assertEquals(1, second.restores);
            assertEquals(
                    ByteString.copyFromUtf8(Long.toString(first.sum + 100)),
                    n.propose(ByteString.copyFromUtf8("100")).get(10, TimeUnit.SECONDS));
            assertEquals(first.count + 1, second.count);
            n.close();
        }
    }
}
