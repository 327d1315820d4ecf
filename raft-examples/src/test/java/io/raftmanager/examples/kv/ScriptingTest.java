package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.testing.RespTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EVAL and the blocking pops through the RESP front end of a single in-process node. */
class ScriptingTest {
    private static final String INCR_BY_SCRIPT =
            "local v = tonumber(redis.call('get', KEYS[1]) or '0') + 1 redis.call('set', KEYS[1], v) return v";

    @TempDir
    static Path dir;

    static KvNode node;

    @BeforeAll
    static void start() throws Exception {
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), 4096));
        TestNodes.await("a leader", Duration.ofSeconds(20), () -> {
            try (RespTestClient c = client()) {
                return "OK".equals(c.call("SET", "ready", "1"));
            }
        });
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static RespTestClient client() throws Exception {
        return new RespTestClient(node.redisAddress(), 5_000, 60_000);
    }

    @Test
    void concurrentScriptsThatReadThenWriteLoseNoUpdate() throws Exception {
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Long> seen = new ArrayList<>();
                    try (RespTestClient c = client()) {
                        for (int i = 0; i < each; i++) {
                            seen.add((Long) c.call("EVAL", INCR_BY_SCRIPT, "1", "counter"));
                        }
                    }
                    return seen;
                }));
            }
            Set<Long> all = new TreeSet<>();
            for (Future<List<Long>> f : results) {
                all.addAll(f.get());
            }
            assertEquals(threads * each, all.size(), "every script saw a different value: " + all);
            try (RespTestClient c = client()) {
                assertEquals(Integer.toString(threads * each), c.call("GET", "counter"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scriptsAreCachedBySha() throws Exception {
        try (RespTestClient c = client()) {
            String sha = (String) c.call("SCRIPT", "LOAD", "return ARGV[1]..KEYS[1]");
            assertEquals(40, sha.length());
            assertEquals("ab", c.call("EVALSHA", sha, "1", "b", "a"));
            assertEquals(List.of(1L, 0L), c.call("SCRIPT", "EXISTS", sha, "0".repeat(40)));
            assertEquals("OK", c.call("SCRIPT", "FLUSH"));
            assertEquals("NOSCRIPT", ((RespTestClient.Err) c.call("EVALSHA", sha, "0")).code());
            assertEquals("ERR", ((RespTestClient.Err) c.call("EVAL", "return (", "0")).code());
        }
    }

    @Test
    void aBusyScriptMakesTheNodeAnswerBusyUntilKilledAndWritesNothing() throws Exception {
        try (RespTestClient runner = client();
                RespTestClient other = client();
                RespTestClient killer = client()) {
            assertEquals("OK", other.call("CONFIG", "SET", "lua-time-limit", "50"));
            try {
                runner.writeRaw(RespTestClient.encode(
                        "EVAL", "redis.call('set', KEYS[1], 'yes') while true do end", "1", "killed"));
                TestNodes.await("the node to answer BUSY", Duration.ofSeconds(30), () -> {
                    Object r = other.call("GET", "killed");
                    return r instanceof RespTestClient.Err
                            && ((RespTestClient.Err) r).code().equals("BUSY");
                });
                assertEquals("OK", other.call("MULTI"), "MULTI is allowed while busy");
                assertEquals("BUSY", ((RespTestClient.Err) other.call("INCR", "x")).code());
                assertEquals("OK", killer.call("SCRIPT", "KILL"));
                RespTestClient.Err killed = assertInstanceOf(RespTestClient.Err.class, runner.read());
                assertTrue(killed.message().contains("SCRIPT KILL"), killed.message());
                assertTrue(((RespTestClient.Err) other.call("EXEC")).message().startsWith("EXECABORT"));
                assertNull(other.call("GET", "killed"), "a killed script's writes never reach the log");
                assertEquals("NOTBUSY", ((RespTestClient.Err) other.call("SCRIPT", "KILL")).code());
            } finally {
                killer.call("SCRIPT", "KILL");
                killer.call("CONFIG", "SET", "lua-time-limit", "5000");
            }
        }
    }

    @Test
    void blpopWaitsForAPushAndTimesOutWithNil() throws Exception {
        try (RespTestClient waiting = client();
                RespTestClient pusher = client()) {
            long start = System.nanoTime();
            assertNull(waiting.call("BLPOP", "empty", "0.3"));
            assertTrue(System.nanoTime() - start >= 300_000_000L, "BLPOP returned before its timeout");

            waiting.writeRaw(RespTestClient.encode("BLPOP", "queue", "other", "30"));
            start = System.nanoTime();
            Thread.sleep(300); // the push comes later; BLPOP's answer must wait for it
            assertEquals(1L, pusher.call("RPUSH", "other", "job"));
            assertEquals(List.of("other", "job"), waiting.read());
            assertTrue(System.nanoTime() - start >= 300_000_000L);
            assertEquals(0L, pusher.call("EXISTS", "other"), "the popped element is gone for everyone");

            assertEquals("OK", pusher.call("MULTI"));
            assertEquals("QUEUED", pusher.call("BRPOPLPUSH", "empty", "dst", "0"));
            assertEquals(
                    java.util.Collections.singletonList(null),
                    pusher.call("EXEC"),
                    "inside MULTI a blocking command answers at once");
        }
    }
}
