package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.testing.RespTestClient;
import io.raftmanager.proto.SnapshotMeta;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node on RocksDB snapshots and compacts; restarted, it restores its latest snapshot and replays the log after it. */
class KvNodeSnapshotRestartTest {
    @TempDir
    Path dir;

    private KvNodeConfig config() {
        InetSocketAddress raft = TestNodes.local(TestNodes.freePort());
        return new KvNodeConfig(
                1,
                "test",
                raft,
                TestNodes.local(TestNodes.freePort()),
                null,
                Map.of(1L, raft),
                dir.resolve("n1"),
                false,
                300,
                50,
                100,
                10,
                4096,
                5_000,
                "rocksdb",
                0);
    }

    private static Object call(KvNode node, String... command) throws Exception {
        try (RespTestClient c = new RespTestClient(node.redisAddress())) {
            return c.call(command);
        }
    }

    @Test
    void aRestartedNodeRestoresItsLatestSnapshotThenReplaysTheLog() throws Exception {
        SnapshotMeta taken;
        try (KvNode node = KvNode.start(config())) {
            TestNodes.await("a write", Duration.ofSeconds(30), () -> "OK".equals(call(node, "SET", "boot", "1")));
            for (int i = 0; i < 300; i++) {
                call(node, "INCR", "counter");
            }
            TestNodes.await(
                    "an automatic snapshot",
                    Duration.ofSeconds(30),
                    () -> node.stateMachine().snapshotIndex() >= 100);
            taken = node.raft().snapshotNow().get(30, TimeUnit.SECONDS);
            assertEquals(taken.getIndex(), node.stateMachine().snapshotIndex());
            for (int i = 0; i < 30; i++) {
                call(node, "INCR", "counter"); // applied after the snapshot: only in the log
            }
        }

        try (KvNode node = KvNode.start(config())) {
            assertEquals(taken.getIndex(), node.stateMachine().restoredIndex(), "restored the latest snapshot");
            TestNodes.await(
                    "the log replayed", Duration.ofSeconds(30), () -> "330".equals(call(node, "GET", "counter")));
            assertEquals("1", call(node, "GET", "boot"));
            assertTrue(node.stateMachine().appliedIndex() > taken.getIndex());
        }
    }
}
