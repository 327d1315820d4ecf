package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.Membership;
import io.raftmanager.transport.local.LocalNetwork;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trap of issue 18: a durable node built with the defaults (no snapshot store given) snapshots, compacts
 * its log behind the snapshot, and must still restart. With the old default (a fresh in-memory snapshot
 * store) the snapshot vanished with the process and the second build failed, the log starting after a
 * snapshot nobody held.
 */
class DefaultSnapshotStoreRestartTest {
    @TempDir
    Path dir;

    private static RaftNode startNode(RocksLogEngine engine, RocksSnapshotRestartTest.Sum sm, LocalNetwork net) {
        net.transport(1).reopen();
        RaftNode n = RaftNode.builder()
                .config(RaftConfig.builder()
                        .nodeId(1)
                        .clusterId("test-cluster")
                        .groupId(7)
                        .tickMillis(10)
                        .snapshot(SnapshotConfig.builder()
                                .everyEntries(10)
                                .trailingEntries(3)
                                .build())
                        .build())
                .storage(engine.group(7, Membership.newBuilder().addVoters(1).build()))
                // no snapshotStore: the default must be as durable as the log
                .transport(net.transport(1))
                .stateMachine(sm)
                .random(new SplittableRandom(3))
                .build();
        n.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (n.state().role() != Role.LEADER) {
            assertTrue(System.nanoTime() < deadline, "no leader");
            Thread.onSpinWait();
        }
        return n;
    }

    @Test
    void aDurableNodeWithTheDefaultSnapshotStoreRestartsAfterCompaction() throws Exception {
        LocalNetwork net = new LocalNetwork();
        RocksSnapshotRestartTest.Sum first = new RocksSnapshotRestartTest.Sum();
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RaftNode n = startNode(engine, first, net);
            for (int i = 1; i <= 40; i++) {
                n.propose(ByteString.copyFromUtf8(Integer.toString(i))).get(10, TimeUnit.SECONDS);
            }
            n.snapshotNow().get(10, TimeUnit.SECONDS);
            n.close();
            net.transport(1).close();
        }
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            long firstIndex = engine.group(7, Membership.getDefaultInstance()).firstIndex();
            assertTrue(firstIndex > 20, "log not compacted, so the test proves nothing: first index " + firstIndex);
        }
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RocksSnapshotRestartTest.Sum second = new RocksSnapshotRestartTest.Sum();
            RaftNode n = startNode(engine, second, net);
            assertEquals(1, second.restores, "restarted from the snapshot");
            assertEquals(
                    ByteString.copyFromUtf8(Long.toString(first.sum + 1)),
                    n.propose(ByteString.copyFromUtf8("1")).get(10, TimeUnit.SECONDS));
            n.close();
            net.transport(1).close();
        }
    }
}
