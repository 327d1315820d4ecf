package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.cluster.NodeProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: three `raft-kv node` JVMs on 127.0.0.1, talked to over RESP. Every node serves every
 * command; SIGKILL of the leader stops writes only for a few election timeouts; the killed node, restarted,
 * catches up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessTest {
    static final int ELECTION_MS = 300;
    static final int HEARTBEAT_MS = 50;
    /** Failover budget: election timeouts (at most 2x the minimum each) plus a PreVote round, with slack for a loaded 2-core CI box. */
    static final Duration FAILOVER_BOUND = Duration.ofMillis(10L * ELECTION_MS);

    static final Pattern LEADER = Pattern.compile("raft_leader:(\\d+)");

    @TempDir
    static Path dir;

    static final Map<Long, List<String>> args = new LinkedHashMap<>();
    static final Map<Long, Process> processes = new LinkedHashMap<>();
    static final Map<Long, InetSocketAddress> redis = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        Map<Long, Integer> raftPorts = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            raftPorts.put(id, TestNodes.freePort());
            redis.put(id, TestNodes.local(TestNodes.freePort()));
        }
        StringBuilder peers = new StringBuilder();
        raftPorts.forEach((id, port) -> peers.append(peers.length() == 0 ? "" : ",")
                .append(id)
                .append("=127.0.0.1:")
                .append(port));
        for (long id = 1; id <= 3; id++) {
            args.put(
                    id,
                    List.of(
                            "node",
                            "--id",
                            Long.toString(id),
                            "--raft",
                            "127.0.0.1:" + raftPorts.get(id),
                            "--redis",
                            KvNode.hostPort(redis.get(id)),
                            "--peers",
                            peers.toString(),
                            "--data",
                            dir.resolve("n" + id).toString(),
                            "--election-timeout-ms",
                            Integer.toString(ELECTION_MS),
                            "--heartbeat-ms",
                            Integer.toString(HEARTBEAT_MS)));
            launch(id);
        }
        for (long id : redis.keySet()) {
            long node = id;
            TestNodes.await(
                    "node " + id + " to accept a write",
                    Duration.ofSeconds(90),
                    () -> "OK".equals(call(node, "SET", "boot", "1")));
        }
    }

    static void launch(long id) throws IOException {
        Path log = dir.resolve("n" + id + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(NodeProcesses.javaCommand(args.get(id)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.put(id, p);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static Object call(long node, String... command) throws IOException {
        try (RespTestClient c = new RespTestClient(redis.get(node))) {
            return c.call(command);
        }
    }

    static long leader() throws Exception {
        for (long id : processes.keySet()) {
            if (!processes.get(id).isAlive()) {
                continue;
            }
            try {
                Matcher m = LEADER.matcher((String) call(id, "INFO", "raft"));
                if (m.find() && !m.group(1).equals("0")) {
                    return Long.parseLong(m.group(1));
                }
            } catch (IOException e) {
                // try the next node
            }
        }
        return 0;
    }

    @Test
    @Order(1)
    void everyNodeServesWritesAndLinearizableReads() throws Exception {
        long expectedCounter = 0;
        for (long id : redis.keySet()) {
            assertEquals("OK", call(id, "SET", "key-" + id, "value-" + id));
            for (long reader : redis.keySet()) {
                assertEquals("value-" + id, call(reader, "GET", "key-" + id), "read on node " + reader);
            }
            assertEquals(++expectedCounter, call(id, "INCR", "counter"));
            assertEquals(1L, call(id, "CAS", "key-" + id, "value-" + id, "swapped-" + id));
            assertEquals(0L, call(id, "CAS", "key-" + id, "value-" + id, "again"));
        }
        for (long reader : redis.keySet()) {
            assertEquals(
                    List.of("swapped-1", "swapped-2", "swapped-3"), call(reader, "MGET", "key-1", "key-2", "key-3"));
        }
    }

    @Test
    @Order(2)
    void staleReadsOnEveryNodeConverge() throws Exception {
        assertEquals("OK", call(1, "SET", "stale-key", "v"));
        for (long id : redis.keySet()) {
            try (RespTestClient c = new RespTestClient(redis.get(id))) {
                assertEquals("OK", c.call("READMODE", "stale"));
                TestNodes.await(
                        "node " + id + " to apply stale-key",
                        Duration.ofSeconds(10),
                        () -> "v".equals(c.call("GET", "stale-key")));
            }
        }
    }

    @Test
    @Order(3)
    void writesResumeSoonAfterTheLeaderIsKilledAndItCatchesUpOnRestart() throws Exception {
        long leader = leader();
        assertTrue(leader != 0, "a leader is known");
        long survivor = leader == 1 ? 2 : 1;
        Process victim = processes.get(leader);
        victim.destroyForcibly(); // SIGKILL
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS));
        Duration failover = TestNodes.await(
                "a write through node " + survivor + " after the leader died",
                Duration.ofSeconds(30),
                () -> "OK".equals(call(survivor, "SET", "after-kill", "yes")));
        System.out.printf("failover: writes resumed %d ms after SIGKILL of leader %d%n", failover.toMillis(), leader);
        assertTrue(
                failover.compareTo(FAILOVER_BOUND) <= 0,
                "writes resumed after " + failover.toMillis() + " ms, bound " + FAILOVER_BOUND.toMillis() + " ms");
        List<Object> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(call(survivor, "INCR", "after-kill-counter"));
        }
        assertEquals(20L, written.get(19));

        launch(leader);
        long restarted = leader;
        TestNodes.await("the restarted node to catch up", Duration.ofSeconds(60), () -> {
            try (RespTestClient c = new RespTestClient(redis.get(restarted))) {
                c.call("READMODE", "stale");
                return "20".equals(c.call("GET", "after-kill-counter")) && "yes".equals(c.call("GET", "after-kill"));
            }
        });
        assertEquals("OK", call(restarted, "SET", "via-restarted", "1"));
        assertEquals("1", call(survivor, "GET", "via-restarted"));
    }
}
