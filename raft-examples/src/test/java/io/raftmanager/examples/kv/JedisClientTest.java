package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * raft-kv driven by Jedis, a stock Redis client, through a follower of a 3-node cluster (writes are
 * forwarded, reads confirmed through the leader): pipelines, transactions with WATCH, expiry, RESP3.
 */
class JedisClientTest {
    @TempDir
    static Path dir;

    static final List<KvNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        for (KvNodeConfig c : TestNodes.cluster(dir, 3)) {
            nodes.add(KvNode.start(c));
        }
        TestNodes.await("a follower that forwards writes", Duration.ofSeconds(60), () -> {
            KvNode f = FollowerPipelineTest.followerOf(nodes);
            if (f == null) {
                return false;
            }
            try (Jedis j = jedis(f, RedisProtocol.RESP2)) {
                return "OK".equals(j.set("ready", "1"));
            }
        });
    }

    @AfterAll
    static void stop() {
        nodes.forEach(KvNode::close);
    }

    static Jedis jedis(KvNode node, RedisProtocol protocol) {
        return new Jedis(
                new HostAndPort("127.0.0.1", node.redisAddress().getPort()),
                DefaultJedisClientConfig.builder()
                        .protocol(protocol)
                        .socketTimeoutMillis(30_000)
                        .build());
    }

    static Jedis follower(RedisProtocol protocol) {
        return jedis(FollowerPipelineTest.followerOf(nodes), protocol);
    }

    @Test
    void aPipelineAnswersInOrder() {
        // A leader change mid-pipeline (a loaded machine) answers CLUSTERDOWN/TRYAGAIN: start over on a new key.
        for (int attempt = 0; ; attempt++) {
            String key = "jp" + attempt;
            try (Jedis j = follower(RedisProtocol.RESP2)) {
                Pipeline p = j.pipelined();
                List<Response<Long>> incrs = new ArrayList<>();
                p.set(key, "0");
                for (int i = 0; i < 500; i++) {
                    incrs.add(p.incr(key));
                }
                Response<String> last = p.get(key);
                p.sync();
                for (int i = 0; i < 500; i++) {
                    assertEquals(i + 1, incrs.get(i).get());
                }
                assertEquals("500", last.get());
                return;
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                String m = String.valueOf(e.getMessage());
                if (attempt >= 5 || !(m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN"))) {
                    throw e;
                }
            }
        }
    }

    @Test
    void aTransactionIsAtomicAndWatchAbortsItWhenTheKeyChanged() {
        try (Jedis j = follower(RedisProtocol.RESP2);
                Jedis other = follower(RedisProtocol.RESP2)) {
            j.set("jt", "1");
            Transaction t = j.multi();
            t.incr("jt");
            t.hset("jh", "f", "v");
            t.get("jt");
            assertEquals(List.of(2L, 1L, "2"), t.exec());

            j.watch("jt");
            other.set("jt", "changed");
            Transaction aborted = j.multi();
            aborted.set("jt", "mine");
            assertNull(aborted.exec(), "EXEC after a watched key changed answers a null array");
            assertEquals("changed", j.get("jt"));
        }
    }

    @Test
    void keysExpireAndTheLeaderReapsThem() throws Exception {
        try (Jedis j = follower(RedisProtocol.RESP2)) {
            j.select(3);
            j.flushDB();
            assertEquals("OK", j.set("je", "v", SetParams.setParams().px(5_000))); // generous: a loaded machine stalls
            long pttl = j.pttl("je");
            assertTrue(pttl > 0 && pttl <= 5_000, "pttl " + pttl);
            assertEquals(1L, j.dbSize());
            TestNodes.await("the key to expire", Duration.ofSeconds(30), () -> j.get("je") == null);
            // DBSIZE counts keys until they are deleted: the leader's reaper proposes the deletion.
            TestNodes.await("the expired key to be reaped", Duration.ofSeconds(30), () -> j.dbSize() == 0);
            j.setex("jx", 100, "v");
            assertTrue(j.ttl("jx") > 90);
            assertEquals(1L, j.persist("jx"));
            assertEquals(-1L, j.ttl("jx"));
        }
    }

    @Test
    void resp3RepliesDecodeAsMapsAndScanCoversEveryKey() {
        try (Jedis j = follower(RedisProtocol.RESP3)) {
            j.select(4);
            j.flushDB();
            j.hset("h3", Map.of("a", "1", "b", "2"));
            assertEquals(Map.of("a", "1", "b", "2"), j.hgetAll("h3"));
            for (int i = 0; i < 100; i++) {
                j.set("s:" + i, "x");
            }
            List<String> seen = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page =
                        j.scan(cursor, new ScanParams().match("s:*").count(7));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(100, seen.size());
            assertEquals(100, seen.stream().distinct().count());
        }
    }

    @Test
    void errorsAreRaisedPerCommandAndScriptsRun() {
        try (Jedis j = follower(RedisProtocol.RESP3)) {
            j.set("jstr", "x");
            redis.clients.jedis.exceptions.JedisDataException wrongType = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> j.hget("jstr", "f"));
            assertTrue(wrongType.getMessage().startsWith("WRONGTYPE"), wrongType.getMessage());
            Transaction t = j.multi();
            t.set("jq", "1");
            t.incr("jstr");
            List<Object> results = t.exec();
            assertEquals("OK", results.get(0));
            assertTrue(results.get(1) instanceof redis.clients.jedis.exceptions.JedisDataException);
            assertEquals("1", j.get("jq"), "the other commands of the transaction applied");
            assertEquals(3L, j.eval("return redis.call('incrby', KEYS[1], ARGV[1])", List.of("jn"), List.of("3")));
        }
    }
}
