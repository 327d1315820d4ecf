package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.testing.RespTestClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write the leader cannot commit (its only follower is gone) is answered {@code -TIMEOUT outcome
 * unknown} once the request timeout passes, by the connection's sweep, long before the leader would step
 * down; the connection and the node keep serving.
 */
class RequestTimeoutTest {
    private static final int ELECTION_MS = 4_000;
    private static final long REQUEST_TIMEOUT_MS = 300;

    @TempDir
    Path dir;

    private KvNodeConfig config(long id, Map<Long, InetSocketAddress> peers) {
        return new KvNodeConfig(
                id,
                "test",
                peers.get(id),
                TestNodes.local(TestNodes.freePort()),
                null,
                peers,
                dir.resolve("n" + id),
                false,
                ELECTION_MS,
                100,
                0,
                0,
                1024,
                REQUEST_TIMEOUT_MS,
                "memory",
                0);
    }

    @Test
    void aWriteThatCannotCommitTimesOutAndTheConnectionKeepsServing() throws Exception {
        Map<Long, InetSocketAddress> peers = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            peers.put(id, TestNodes.local(TestNodes.freePort()));
        }
        // A new cluster forms only once every voter has answered (docs/storage-faults.md): node 3 starts
        // long enough for that, then stops before any write.
        KvNode three = KvNode.start(config(3, peers));
        KvNode one = KvNode.start(config(1, peers));
        KvNode two = KvNode.start(config(2, peers));
        try {
            TestNodes.await(
                    "the new cluster formed",
                    Duration.ofSeconds(60),
                    () -> (one.isLeader() || two.isLeader() || three.isLeader())
                            && one.raft().status().get().recovery() == null
                            && two.raft().status().get().recovery() == null);
            three.close();
            TestNodes.await("a leader among 1 and 2", Duration.ofSeconds(60), () -> one.isLeader() || two.isLeader());
            KvNode leader = one.isLeader() ? one : two;
            KvNode follower = leader == one ? two : one;
            try (RespTestClient c = new RespTestClient(leader.redisAddress())) {
                TestNodes.await(
                        "a committed write", Duration.ofSeconds(30), () -> "OK".equals(c.call("SET", "a", "1")));
                follower.close(); // node 3 is down too: no quorum from now on
                long start = System.nanoTime();
                Object reply = c.call("SET", "b", "2");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertEquals(new RespTestClient.Err("TIMEOUT outcome unknown"), reply);
                assertTrue(
                        tookMs >= REQUEST_TIMEOUT_MS && tookMs < ELECTION_MS,
                        "answered after " + tookMs + " ms; expected the request timeout, before any step-down");
                assertEquals("PONG", c.call("PING"));
            }
        } finally {
            one.close();
            two.close();
            three.close();
        }
    }
}
