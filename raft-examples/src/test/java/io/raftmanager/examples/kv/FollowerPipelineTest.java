package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftmanager.examples.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower runs one connection's pipelined commands in the order they were sent (issue 17, item 3):
 * it forwards a connection's writes on one leader connection, in order, so they enter the log in order.
 * With round-robin forwarding over several leader connections, the last SET below lost to an earlier one.
 */
class FollowerPipelineTest {
    @TempDir
    static Path dir;

    static final List<KvNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        for (KvNodeConfig c : TestNodes.cluster(dir, 3)) {
            nodes.add(KvNode.start(c));
        }
        TestNodes.await("a follower that forwards writes", Duration.ofSeconds(60), () -> {
            KvNode f = follower();
            if (f == null) {
                return false;
            }
            try (RespTestClient c = new RespTestClient(f.redisAddress())) {
                return "OK".equals(c.call("SET", "ready", "1"));
            }
        });
    }

    @AfterAll
    static void stop() {
        nodes.forEach(KvNode::close);
    }

    static KvNode follower() {
        return followerOf(nodes);
    }

    /** A follower of a cluster that has a leader, or null. */
    static KvNode followerOf(List<KvNode> cluster) {
        boolean led = cluster.stream().anyMatch(KvNode::isLeader);
        return led ? cluster.stream().filter(n -> !n.isLeader()).findFirst().orElse(null) : null;
    }

    /** Sends every request in one write, then reads the replies in order. */
    static List<Object> pipeline(RespTestClient c, List<String[]> requests) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] r : requests) {
            out.write(RespTestClient.encode(r));
        }
        c.writeRaw(out.toByteArray());
        List<Object> replies = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            replies.add(c.read());
        }
        return replies;
    }

    @Test
    void pipelinedSetsThroughAFollowerEnterTheLogInOrder() throws Exception {
        List<String[]> sets = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            sets.add(new String[] {"SET", "pk", Integer.toString(i)});
        }
        try (RespTestClient c = new RespTestClient(follower().redisAddress(), 5_000, 60_000)) {
            List<Object> replies = pipeline(c, sets);
            for (Object r : replies) {
                assertEquals("OK", r);
            }
            assertEquals("2000", c.call("GET", "pk"));
        }
    }

    @Test
    void pipelinedIncrsThroughAFollowerAnswerInSequence() throws Exception {
        List<String[]> incrs = new ArrayList<>();
        incrs.add(new String[] {"SET", "ctr", "0"});
        for (int i = 1; i <= 1000; i++) {
            incrs.add(new String[] {"INCR", "ctr"});
        }
        try (RespTestClient c = new RespTestClient(follower().redisAddress(), 5_000, 60_000)) {
            List<Object> replies = pipeline(c, incrs);
            assertEquals("OK", replies.get(0));
            for (int i = 1; i <= 1000; i++) {
                assertEquals((long) i, replies.get(i), "reply " + i);
            }
        }
    }

    @Test
    void readsAndWritesInOnePipelineSeeEachOtherInOrder() throws Exception {
        List<String[]> mixed = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            mixed.add(new String[] {"SET", "rw", "v" + i});
            expected.add("OK");
            mixed.add(new String[] {"GET", "rw"});
            expected.add("v" + i);
        }
        try (RespTestClient c = new RespTestClient(follower().redisAddress(), 5_000, 60_000)) {
            assertEquals(expected, pipeline(c, mixed));
        }
    }

    @Test
    void aTransactionThroughAFollowerIsOneAtomicEntry() throws Exception {
        try (RespTestClient c = new RespTestClient(follower().redisAddress(), 5_000, 60_000)) {
            List<Object> replies = pipeline(
                    c,
                    List.of(
                            new String[] {"SET", "tx", "1"},
                            new String[] {"WATCH", "tx"},
                            new String[] {"MULTI"},
                            new String[] {"INCR", "tx"},
                            new String[] {"GET", "tx"},
                            new String[] {"EXEC"}));
            assertEquals(List.of("OK", "OK", "OK", "QUEUED", "QUEUED", List.of(2L, "2")), replies);
        }
    }
}
