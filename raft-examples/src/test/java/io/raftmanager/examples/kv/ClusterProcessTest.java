package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.cluster.NodeProcesses;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: three `raft-kv node` JVMs on 127.0.0.1, talked to over RESP and the admin HTTP API. Every
 * node serves every command; SIGKILL of the leader stops writes only for a few election timeouts; the
 * killed node, restarted, catches up; a fourth node started with --join waits empty until the admin API
 * adds it as a learner, promotes it, removes another voter and hands it the leadership. Nodes snapshot
 * every few hundred entries, so a follower stopped while the others write past it comes back by
 * installing the leader's snapshot, and so does the joining node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
class ClusterProcessTest {
    static final int ELECTION_MS = 1_000; // 300 flapped leaders under a load average of 30 (CLUSTERDOWN mid-test)
    static final int HEARTBEAT_MS = 100;
    /** Failover budget: election timeouts (at most 2x the minimum each) plus a PreVote round, with slack for a loaded 2-core CI box. */
    static final Duration FAILOVER_BOUND = Duration.ofMillis(10L * ELECTION_MS);

    static final Pattern LEADER = Pattern.compile("raft_leader:(\\d+)");
    static final int SNAPSHOT_ENTRIES = 200;
    static final int SNAPSHOT_TRAILING_ENTRIES = 20;

    @TempDir
    static Path dir;

    static final Map<Long, List<String>> args = new LinkedHashMap<>();
    static final Map<Long, Process> processes = new LinkedHashMap<>();
    /** Every node's output, one file per launch, kept so a failure can show what the nodes said. */
    static final Map<Long, List<Path>> logs = new LinkedHashMap<>();

    static final Map<Long, InetSocketAddress> redis = new LinkedHashMap<>();
    static final Map<Long, InetSocketAddress> http = new LinkedHashMap<>();
    static final Map<Long, Integer> raftPorts = new LinkedHashMap<>();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String peers;
    /** Nodes removed from the configuration: they may keep a stale view of the leader. */
    static final java.util.Set<Long> removedNodes = new java.util.HashSet<>();

    @BeforeAll
    static void startCluster() throws Exception {
        for (long id = 1; id <= 3; id++) {
            pickPorts(id);
        }
        StringBuilder p = new StringBuilder();
        for (long id = 1; id <= 3; id++) {
            p.append(p.length() == 0 ? "" : ",")
                    .append(id)
                    .append("=127.0.0.1:")
                    .append(raftPorts.get(id));
        }
        peers = p.toString();
        for (long id = 1; id <= 3; id++) {
            args.put(id, nodeArgs(id, peers));
            launch(id);
        }
        for (long id = 1; id <= 3; id++) {
            long node = id;
            TestNodes.await(
                    "node " + id + " to accept a write",
                    Duration.ofSeconds(90),
                    () -> "OK".equals(call(node, "SET", "boot", "1")));
        }
    }

    static void pickPorts(long id) {
        raftPorts.put(id, TestNodes.freePort());
        redis.put(id, TestNodes.local(TestNodes.freePort()));
        http.put(id, TestNodes.local(TestNodes.freePort()));
    }

    static List<String> nodeArgs(long id, String peerList) {
        return new ArrayList<>(List.of(
                "node",
                "--id",
                Long.toString(id),
                "--raft",
                "127.0.0.1:" + raftPorts.get(id),
                "--redis",
                KvNode.hostPort(redis.get(id)),
                "--http",
                KvNode.hostPort(http.get(id)),
                "--peers",
                peerList,
                "--data",
                dir.resolve("n" + id).toString(),
                "--election-timeout-ms",
                Integer.toString(ELECTION_MS),
                "--heartbeat-ms",
                Integer.toString(HEARTBEAT_MS),
                "--snapshot-entries",
                Integer.toString(SNAPSHOT_ENTRIES),
                "--snapshot-trailing-entries",
                Integer.toString(SNAPSHOT_TRAILING_ENTRIES)));
    }

    static void launch(long id) throws IOException {
        Path log = dir.resolve("n" + id + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(NodeProcesses.javaCommand(args.get(id)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.put(id, p);
        logs.computeIfAbsent(id, k -> new ArrayList<>()).add(log);
    }

    /** On any failure, prints each node's state and the end of its latest log (the temp dir is deleted after). */
    @RegisterExtension
    static final TestExecutionExceptionHandler PRINT_NODE_LOGS = (context, failure) -> {
        for (Map.Entry<Long, List<Path>> e : logs.entrySet()) {
            Process p = processes.get(e.getKey());
            Path log = e.getValue().get(e.getValue().size() - 1);
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            System.out.printf(
                    "--- node %d (%s), last %d of %d lines of %s%n",
                    e.getKey(),
                    p.isAlive() ? "running" : "exited with code " + p.exitValue(),
                    Math.min(40, lines.size()),
                    lines.size(),
                    log.getFileName());
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
        }
        throw failure;
    };

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

    static HttpResponse<String> admin(long node, String method, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + KvNode.hostPort(http.get(node)) + path))
                        .timeout(Duration.ofSeconds(30))
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends an admin write until it answers 200, retrying the answers that mean "not now" (503). */
    static HttpResponse<String> adminUntilOk(long node, String method, String path, String body) throws Exception {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        TestNodes.await(method + " " + path + " " + body + " to succeed", Duration.ofSeconds(60), () -> {
            HttpResponse<String> r = admin(node, method, path, body);
            last.set(r);
            if (r.statusCode() != 200 && r.statusCode() != 503 && r.statusCode() != 504) {
                throw new AssertionError(r.statusCode() + " " + r.body());
            }
            return r.statusCode() == 200;
        });
        return last.get();
    }

    static String status(long node) throws Exception {
        return admin(node, "GET", "/status", "").body();
    }

    /** A number field of a flat JSON answer such as /status. */
    static long jsonNumber(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    static long leader() throws Exception {
        for (long id : processes.keySet()) {
            if (!processes.get(id).isAlive() || removedNodes.contains(id)) {
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

    /**
     * Starts node 4 with --join on ports picked just now and waits until it serves /status with no members.
     * Another process on this shared machine may bind one of those ports before node 4 does (it then exits
     * at once with "Address already in use"): that is the environment, not the behaviour under test, so the
     * node is started again on other ports, at most three times. Any other exit fails the test.
     */
    static void launchJoiningNode4() throws Exception {
        for (int attempt = 1; ; attempt++) {
            pickPorts(4);
            args.put(4L, nodeArgs(4, peers + ",4=127.0.0.1:" + raftPorts.get(4L)));
            args.get(4L).add("--join");
            launch(4);
            Process node4 = processes.get(4L);
            AtomicReference<String> lastStatus = new AtomicReference<>("none");
            try {
                TestNodes.await("node 4 to serve /status with no members", Duration.ofSeconds(60), () -> {
                    if (!node4.isAlive()) {
                        return true;
                    }
                    lastStatus.set(status(4));
                    return lastStatus.get().contains("\"members\":[]");
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; last /status answer: " + lastStatus.get(), e);
            }
            if (node4.isAlive()) {
                return;
            }
            String log = Files.readString(logs.get(4L).get(logs.get(4L).size() - 1));
            assertTrue(
                    log.contains("Address already in use") && attempt < 3,
                    "node 4 exited with code " + node4.exitValue() + " (attempt " + attempt + "): " + log);
            System.out.printf("node 4 could not bind a port (attempt %d), trying others: %s%n", attempt, log.trim());
        }
    }

    @Test
    @Order(1)
    void everyNodeServesWritesAndLinearizableReads() throws Exception {
        long expectedCounter = 0;
        for (long id : List.of(1L, 2L, 3L)) {
            assertEquals("OK", call(id, "SET", "key-" + id, "value-" + id));
            for (long reader : List.of(1L, 2L, 3L)) {
                assertEquals("value-" + id, call(reader, "GET", "key-" + id), "read on node " + reader);
            }
            assertEquals(++expectedCounter, call(id, "INCR", "counter"));
            assertEquals(1L, call(id, "CAS", "key-" + id, "value-" + id, "swapped-" + id));
            assertEquals(0L, call(id, "CAS", "key-" + id, "value-" + id, "again"));
        }
        for (long reader : List.of(1L, 2L, 3L)) {
            assertEquals(
                    List.of("swapped-1", "swapped-2", "swapped-3"), call(reader, "MGET", "key-1", "key-2", "key-3"));
        }
    }

    @Test
    @Order(2)
    void staleReadsOnEveryNodeConverge() throws Exception {
        assertEquals("OK", call(1, "SET", "stale-key", "v"));
        for (long id : List.of(1L, 2L, 3L)) {
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

    @Test
    @Order(4)
    void aFollowerRestartedAfterCompactionCatchesUpBySnapshot() throws Exception {
        long leader = leader();
        assertTrue(leader != 0, "a leader is known");
        long follower = leader == 3 ? 2 : 3;
        long appliedBefore = jsonNumber(status(follower), "appliedIndex");
        Process stopped = processes.get(follower);
        stopped.destroy();
        assertTrue(stopped.waitFor(30, TimeUnit.SECONDS));

        int keys = 3 * SNAPSHOT_ENTRIES;
        try (RespTestClient c = new RespTestClient(redis.get(leader))) {
            for (int i = 0; i < keys; i++) {
                assertEquals("OK", c.call("SET", "snap-" + (i % 50), "v" + i));
                assertEquals((long) i + 1, c.call("INCR", "snap-counter"));
            }
        }
        HttpResponse<String> snapshot = admin(leader, "POST", "/snapshot", "");
        assertEquals(200, snapshot.statusCode(), snapshot.body());
        long snapshotIndex = jsonNumber(snapshot.body(), "index");
        assertTrue(jsonNumber(snapshot.body(), "term") > 0, snapshot.body());
        assertTrue(jsonNumber(snapshot.body(), "sizeBytes") > 0, snapshot.body());
        assertTrue(
                snapshotIndex - SNAPSHOT_TRAILING_ENTRIES > appliedBefore + 1,
                "the leader's log now starts after what node " + follower + " has: " + snapshot.body() + " vs "
                        + appliedBefore);
        assertEquals(snapshotIndex, jsonNumber(status(leader), "snapshotIndex"));

        launch(follower);
        TestNodes.await("node " + follower + " to install a snapshot from the leader", Duration.ofSeconds(60), () -> {
            try {
                return jsonNumber(status(follower), "restoredSnapshotIndex") > appliedBefore;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
        TestNodes.await("node " + follower + " to serve the latest values", Duration.ofSeconds(30), () -> {
            try (RespTestClient c = new RespTestClient(redis.get(follower))) {
                return Long.toString(keys).equals(c.call("GET", "snap-counter"));
            } catch (IOException e) {
                return false;
            }
        });
        for (int i = keys - 50; i < keys; i++) {
            assertEquals("v" + i, call(follower, "GET", "snap-" + (i % 50)));
        }
        assertEquals("OK", call(follower, "SET", "via-snapshotted", "1"));
        assertEquals("1", call(leader, "GET", "via-snapshotted"));
    }

    @Test
    @Order(5)
    void aJoiningNodeWaitsIsAddedAsLearnerPromotedAndTakesOverWhileAnotherIsRemoved() throws Exception {
        launchJoiningNode4();
        Thread.sleep(3L * ELECTION_MS); // a joining node must not elect itself while it waits
        assertTrue(status(4).contains("\"role\":\"follower\""), status(4));
        assertTrue(status(4).contains("\"members\":[]"), status(4));

        long leader = leader();
        long follower = leader == 1 ? 2 : 1;
        // Sent to a follower: relayed to the leader.
        String added = adminUntilOk(
                        follower,
                        "POST",
                        "/members",
                        "{\"id\": 4, \"address\": \"127.0.0.1:" + raftPorts.get(4L) + "\", \"role\": \"learner\"}")
                .body();
        assertTrue(added.contains("\"learners\":[4]"), added);
        assertEquals("OK", call(follower, "SET", "before-promotion", "1"));
        TestNodes.await("the learner to catch up", Duration.ofSeconds(60), () -> {
            try (RespTestClient c = new RespTestClient(redis.get(4L))) {
                c.call("READMODE", "stale");
                return "1".equals(c.call("GET", "before-promotion"));
            }
        });
        // 503 means "retry" (a leader change, or the learner's entry still being applied on a loaded machine).
        java.util.concurrent.atomic.AtomicInteger conflict = new java.util.concurrent.atomic.AtomicInteger();
        TestNodes.await("a definite answer to re-adding node 4 at another address", Duration.ofSeconds(60), () -> {
            conflict.set(admin(leader(), "POST", "/members", "{\"id\": 4, \"address\": \"127.0.0.1:1\"}")
                    .statusCode());
            return conflict.get() != 503;
        });
        assertEquals(409, conflict.get());
        String promoted = adminUntilOk(follower, "POST", "/members", "{\"id\": 4, \"role\": \"voter\"}")
                .body();
        assertTrue(promoted.contains("\"result\":\"promoted\""), promoted);

        long removed = leader() == 3 ? 2 : 3;
        adminUntilOk(leader(), "DELETE", "/members/" + removed, "");
        removedNodes.add(removed);
        TestNodes.await("node 4 to see the new configuration", Duration.ofSeconds(30), () -> {
            String s = status(4);
            return s.contains("\"id\":4,") && !s.contains("\"id\":" + removed + ",\"raft\"");
        });

        adminUntilOk(follower, "POST", "/leader", "{\"id\": 4}");
        TestNodes.await("node 4 to lead", Duration.ofSeconds(30), () -> leader() == 4);
        assertTrue(status(4).startsWith("{\"id\":4,\"role\":\"leader\""), status(4));
        assertTrue(status(4).contains("\"matchIndex\":"), status(4));
        for (long id : List.of(1L, 2L, 3L, 4L)) {
            if (id != removed) {
                long node = id;
                TestNodes.await(
                        "a write through node " + id,
                        Duration.ofSeconds(30),
                        () -> "OK".equals(call(node, "SET", "after-transfer-" + node, "v")));
            }
        }
        assertEquals("v", call(4, "GET", "after-transfer-" + follower));
    }
}
