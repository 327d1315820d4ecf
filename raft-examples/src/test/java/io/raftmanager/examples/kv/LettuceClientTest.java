package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * raft-kv driven by Lettuce (RESP3 by default, through HELLO 3) through a follower of a 3-node cluster:
 * pipelines, transactions with WATCH, expiry, errors, scripts, and last a failover: the leader stops
 * and every write acknowledged before or after it is still there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LettuceClientTest {
    @TempDir
    static Path dir;

    static final List<KvNode> nodes = new ArrayList<>();
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() throws Exception {
        for (KvNodeConfig c : TestNodes.cluster(dir, 3)) {
            nodes.add(KvNode.start(c));
        }
        TestNodes.await("a leader", Duration.ofSeconds(60), () -> FollowerPipelineTest.followerOf(nodes) != null);
        KvNode follower = FollowerPipelineTest.followerOf(nodes);
        client = RedisClient.create(RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(follower.redisAddress().getPort())
                .withTimeout(Duration.ofSeconds(30))
                .build());
        connection = client.connect();
        TestNodes.await(
                "writes through the follower",
                Duration.ofSeconds(60),
                () -> "OK".equals(connection.sync().set("ready", "1")));
    }

    @AfterAll
    static void stop() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(0, 5, TimeUnit.SECONDS);
        }
        nodes.forEach(KvNode::close);
    }

    @Test
    @Order(1)
    void anUnflushedPipelineAnswersInOrder() throws Exception {
        StatefulRedisConnection<String, String> c = client.connect();
        try {
            RedisAsyncCommands<String, String> async = c.async();
            c.setAutoFlushCommands(false);
            List<RedisFuture<Long>> incrs = new ArrayList<>();
            async.set("lp", "0");
            for (int i = 0; i < 300; i++) {
                incrs.add(async.incr("lp"));
            }
            RedisFuture<String> last = async.get("lp");
            c.flushCommands();
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(60), incrs.toArray(new RedisFuture<?>[0])));
            for (int i = 0; i < 300; i++) {
                assertEquals(i + 1, incrs.get(i).get());
            }
            assertEquals("300", last.get());
        } finally {
            c.close();
        }
    }

    @Test
    @Order(2)
    void aTransactionAppliesWhollyAndWatchDiscardsIt() {
        RedisCommands<String, String> sync = connection.sync();
        sync.set("lt", "1");
        sync.multi();
        sync.incr("lt");
        sync.hset("lh", "f", "v");
        sync.get("lt");
        TransactionResult r = sync.exec();
        assertEquals(List.of(2L, true, "2"), r.stream().toList());

        sync.watch("lt");
        try (StatefulRedisConnection<String, String> other = client.connect()) {
            other.sync().set("lt", "changed");
        }
        sync.multi();
        sync.set("lt", "mine");
        assertTrue(sync.exec().wasDiscarded());
        assertEquals("changed", sync.get("lt"));
    }

    @Test
    @Order(3)
    void keysExpireAndTtlsReadBack() throws Exception {
        RedisCommands<String, String> sync = connection.sync();
        assertEquals("OK", sync.set("le", "v", SetArgs.Builder.px(3_000)));
        long pttl = sync.pttl("le");
        assertTrue(pttl > 0 && pttl <= 3_000, "pttl " + pttl);
        TestNodes.await("the key to expire", Duration.ofSeconds(30), () -> sync.get("le") == null);
        assertEquals(-2L, sync.ttl("le"));
        sync.set("lx", "v", SetArgs.Builder.ex(100));
        assertTrue(sync.ttl("lx") > 90);
        assertTrue(sync.persist("lx"));
        assertEquals(-1L, sync.ttl("lx"));
    }

    @Test
    @Order(4)
    void errorsArriveAsRedisErrorsAndLeaveTheConnectionUsable() {
        RedisCommands<String, String> sync = connection.sync();
        sync.set("lstr", "x");
        RedisCommandExecutionException wrongType =
                assertThrows(RedisCommandExecutionException.class, () -> sync.hget("lstr", "f"));
        assertTrue(wrongType.getMessage().startsWith("WRONGTYPE"), wrongType.getMessage());
        RedisCommandExecutionException notInt =
                assertThrows(RedisCommandExecutionException.class, () -> sync.incr("lstr"));
        assertTrue(notInt.getMessage().contains("not an integer"), notInt.getMessage());
        sync.multi();
        sync.set("lq", "1");
        sync.incr("lstr");
        List<Object> results = sync.exec().stream().toList();
        assertEquals("OK", results.get(0));
        assertTrue(results.get(1) instanceof RedisCommandExecutionException, "an error inside EXEC is per command");
        assertEquals("1", sync.get("lq"));
    }

    @Test
    @Order(5)
    void scriptsRunThroughEvalAndEvalsha() {
        RedisCommands<String, String> sync = connection.sync();
        String script = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incr', KEYS[1])";
        Long v = sync.eval(script, ScriptOutputType.INTEGER, new String[] {"ls"}, "41");
        assertEquals(42L, v);
        String sha = sync.scriptLoad(script);
        assertEquals(42L, (Long) sync.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"ls"}, "41"));
        assertNull(sync.get("missing"));
    }

    @Test
    @Order(100)
    void writesAcknowledgedBeforeAndAfterTheLeaderStopsAreAllThere() throws Exception {
        RedisCommands<String, String> sync = connection.sync();
        for (int i = 0; i < 20; i++) {
            assertEquals("OK", sync.set("lf" + i, "v" + i));
        }
        KvNode leader = nodes.stream().filter(KvNode::isLeader).findFirst().orElseThrow();
        KvNode follower = FollowerPipelineTest.followerOf(nodes);
        assertTrue(follower != null && follower != leader);
        leader.close();
        nodes.remove(leader);
        for (int i = 20; i < 40; i++) {
            String key = "lf" + i;
            String value = "v" + i;
            // Until a new leader is elected writes answer CLUSTERDOWN/TRYAGAIN/TIMEOUT: the client retries
            // (SET of the same value is idempotent, so a retry after an unknown outcome is safe).
            TestNodes.await("a write after the failover", Duration.ofSeconds(90), () -> {
                try {
                    return "OK".equals(sync.set(key, value));
                } catch (RedisCommandExecutionException e) {
                    String m = String.valueOf(e.getMessage());
                    if (m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN") || m.startsWith("TIMEOUT")) {
                        return false;
                    }
                    throw e;
                }
            });
        }
        for (KvNode survivor : nodes) {
            RedisClient c = RedisClient.create(
                    RedisURI.create("127.0.0.1", survivor.redisAddress().getPort()));
            try (StatefulRedisConnection<String, String> conn = c.connect()) {
                for (int i = 0; i < 40; i++) {
                    assertEquals(
                            "v" + i,
                            conn.sync().get("lf" + i),
                            "lf" + i + " on node " + survivor.config().id());
                }
            } finally {
                c.shutdown(0, 5, TimeUnit.SECONDS);
            }
        }
    }
}
