package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.testing.RespTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** raft-kv with {@code --groups}: keys over several groups, served by any node, leaders spread. */
class ShardedKvTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<KvNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(KvNode::close);
    }

    private List<KvNodeConfig> start(int groups, String storage) throws Exception {
        List<KvNodeConfig> configs = new ArrayList<>();
        for (KvNodeConfig c : TestNodes.cluster(dir, 3)) {
            KvNodeConfig g = withStorage(c, storage).withGroups(groups);
            configs.add(g);
            nodes.add(KvNode.start(g));
        }
        awaitBalanced();
        return configs;
    }

    /** Every group led by its preferred node, as every node sees it (the balancer has nothing left to move). */
    private void awaitBalanced() throws Exception {
        try {
            TestNodes.await(
                    "every group led by its preferred node",
                    LONG,
                    () -> nodes.stream()
                            .allMatch(
                                    n -> n.shards().stream().allMatch(s -> s.leader() == LeaderBalancer.preferred(s))));
        } catch (AssertionError e) {
            StringBuilder b = new StringBuilder(e.getMessage());
            for (KvNode n : nodes) {
                for (Shard s : n.shards()) {
                    b.append("\n node ")
                            .append(n.config().id())
                            .append(" group ")
                            .append(s.index())
                            .append(": leader ")
                            .append(s.leader())
                            .append(", prefers ")
                            .append(LeaderBalancer.preferred(s))
                            .append(", ")
                            .append(s.raft().status().get(5, java.util.concurrent.TimeUnit.SECONDS));
                }
            }
            throw new AssertionError(b.toString(), e);
        }
    }

    private static KvNodeConfig withStorage(KvNodeConfig c, String storage) {
        return new KvNodeConfig(
                c.id(),
                c.clusterId(),
                c.raft(),
                c.redis(),
                TestNodes.local(TestNodes.freePort()),
                c.peers(),
                c.dataDir(),
                c.join(),
                c.electionTimeoutMillis(),
                c.heartbeatMillis(),
                c.snapshotEntries(),
                c.snapshotTrailingEntries(),
                c.maxBulkBytes(),
                c.requestTimeoutMillis(),
                storage,
                c.loops());
    }

    private static String err(Object reply) {
        return assertInstanceOf(RespTestClient.Err.class, reply).message();
    }

    @Test
    void keysSpreadOverGroupsAndEveryNodeServesEveryKey() throws Exception {
        start(4, "memory");
        KeySlots slots = new KeySlots(4);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            used.add(slots.groupOf(ByteString.copyFromUtf8("k" + i)));
            try (RespTestClient c = new RespTestClient(nodes.get(i % 3).redisAddress(), 5_000, 60_000)) {
                assertEquals("OK", c.call("SET", "k" + i, "v" + i));
            }
        }
        assertEquals(4, used.size(), "24 keys fall in every one of 4 groups");
        try (RespTestClient c = new RespTestClient(nodes.get(1).redisAddress(), 5_000, 60_000)) {
            for (int i = 0; i < 24; i++) {
                assertEquals("v" + i, c.call("GET", "k" + i));
            }
            // Each key lives in its group only: the group's state machine has it, the others do not.
            for (int i = 0; i < 24; i++) {
                int g = slots.groupOf(ByteString.copyFromUtf8("k" + i));
                for (Shard s : nodes.get(0).shards()) {
                    assertEquals(s.index() == g ? 1 : 0, exists(s, "k" + i), "k" + i + " in group " + s.index());
                }
            }
            assertEquals(List.of("v0", "v1", "v2", "v3"), c.call("MGET", "k0", "k1", "k2", "k3"));
            List<?> mget = (List<?>) c.call("MGET", "k5", "missing", "k7", "k6");
            assertEquals("v5", mget.get(0));
            assertNull(mget.get(1));
            assertEquals("v7", mget.get(2));
            assertEquals("v6", mget.get(3));
            assertTrue(err(c.call("MSET", "k0", "a", "k1", "b")).startsWith("CROSSSLOT"));
            assertTrue(err(c.call("DEL", "k0", "k1", "k2")).startsWith("CROSSSLOT"));
            assertEquals("v0", c.call("GET", "k0"), "a refused MSET wrote nothing");
            assertEquals("OK", c.call("MSET", "{u}a", "1", "{u}b", "2"));
            assertEquals(List.of("1", "2"), c.call("MGET", "{u}a", "{u}b"));
            assertEquals(26L, c.call("DBSIZE"));
            assertEquals(26, ((List<?>) c.call("KEYS", "*")).size());
            Set<Object> scanned = new HashSet<>();
            String cursor = "0";
            int rounds = 0;
            do {
                List<?> r = (List<?>) c.call("SCAN", cursor, "COUNT", "5");
                cursor = (String) r.get(0);
                scanned.addAll((List<?>) r.get(1));
                assertTrue(++rounds < 100, "SCAN ends");
            } while (!cursor.equals("0"));
            assertEquals(26, scanned.size(), "SCAN visits every group");

            String info = (String) c.call("INFO", "raft");
            assertTrue(info.contains("raft_groups:4\r\n"), info);
            assertTrue(info.contains("raft_groups_leaderless:0\r\n"), info);
            for (int g = 0; g < 4; g++) {
                assertTrue(info.contains("raft_group_" + g + ":role="), info);
            }
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String status = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://" + KvNode.hostPort(nodes.get(0).httpAddress()) + "/status"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(status.contains("\"groups\":{\"count\":4,\"led\":"), status);
        assertTrue(status.contains("\"leaderless\":0"), status);
        for (int g = 0; g < 4; g++) {
            assertTrue(status.contains("{\"id\":" + g + ",\"role\":"), status);
        }
        java.util.regex.Matcher byNode =
                java.util.regex.Pattern.compile("\"leadersByNode\":\\{([^}]*)}").matcher(status);
        assertTrue(byNode.find(), status);
        int led = 0;
        for (String part : byNode.group(1).split(",")) {
            led += Integer.parseInt(part.substring(part.indexOf(':') + 1));
        }
        assertEquals(4, led, status);
        String summary = http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                                        + KvNode.hostPort(nodes.get(0).httpAddress()) + "/status?groups=summary"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(summary.contains("\"groups\":{\"count\":4,\"led\":"), summary);
        assertFalse(summary.contains("\"each\""), "the summary leaves out the per-group list: " + summary);
        assertTrue(status.contains("\"each\""), status);
        String metrics = nodes.get(0).metrics().scrape();
        assertTrue(metrics.contains("raftkv_groups 4.0"), metrics);
        assertTrue(metrics.contains("raftkv_group_top_id{rank=\"1\"}"), metrics);

        // Idle now: every group quiesces on every node, and a read still wakes its group and answers.
        TestNodes.await(
                "every group quiesced on every node",
                LONG,
                () -> nodes.stream().allMatch(n -> n.quiescedGroups() == 4));
        try (RespTestClient c = new RespTestClient(nodes.get(2).redisAddress(), 5_000, 60_000)) {
            String info = (String) c.call("INFO", "raft");
            assertTrue(info.contains("raft_groups_quiesced:4\r\n"), info);
            for (int i = 0; i < 24; i++) {
                assertEquals("v" + i, c.call("GET", "k" + i));
            }
            assertEquals("OK", c.call("SET", "k0", "w"));
            assertEquals("w", c.call("GET", "k0"));
        }
    }

    @Test
    void transactionsStayInOneGroupAndAConnectionKeepsItsOrderAcrossGroups() throws Exception {
        start(4, "memory");
        try (RespTestClient c = new RespTestClient(nodes.get(2).redisAddress(), 5_000, 60_000)) {
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("SET", "{t}x", "1"));
            assertTrue(err(c.call("SET", "{other}y", "1")).startsWith("CROSSSLOT"));
            assertTrue(err(c.call("EXEC")).startsWith("EXECABORT"));
            assertEquals("OK", c.call("WATCH", "{t}x"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("INCR", "{t}x"));
            assertEquals("QUEUED", c.call("INCR", "{t}y"));
            assertEquals(List.of(1L, 1L), c.call("EXEC"));
            assertTrue(err(c.call("WATCH", "{a}1", "{b}2")).startsWith("CROSSSLOT"));

            // One pipeline alternating between two groups, through a node that leads some groups and
            // forwards the others: every reply reflects exactly the commands sent before it.
            KeySlots slots = new KeySlots(4);
            String a = "p0";
            String b = "p1";
            for (int i = 2;
                    slots.groupOf(ByteString.copyFromUtf8(a)) == slots.groupOf(ByteString.copyFromUtf8(b));
                    i++) {
                b = "p" + i;
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int n = 200;
            for (int i = 0; i < n; i++) {
                out.writeBytes(RespTestClient.encode("INCR", i % 2 == 0 ? a : b));
                out.writeBytes(RespTestClient.encode("GET", i % 2 == 0 ? b : a));
            }
            c.writeRaw(out.toByteArray());
            for (int i = 0; i < n; i++) {
                assertEquals((long) (i / 2 + 1), c.read(), "INCR #" + i);
                // After INCR #i, the other key has been incremented (i+1)/2 times.
                Object other = c.read();
                long expected = (i + 1) / 2;
                assertEquals(expected == 0 ? null : Long.toString(expected), other, "GET after INCR #" + i);
            }
        }
    }

    @Test
    void scriptsAndBlockingCommandsRunInTheirKeysGroup() throws Exception {
        start(4, "memory");
        KeySlots slots = new KeySlots(4);
        String tag = "s0";
        for (int i = 1; slots.groupOf(ByteString.copyFromUtf8("{" + tag + "}")) == 0; i++) {
            tag = "s" + i; // a group other than 0, where commands without a group would land
        }
        int g = slots.groupOf(ByteString.copyFromUtf8("{" + tag + "}"));
        String other = "o0";
        for (int i = 1; slots.groupOf(ByteString.copyFromUtf8(other)) == g; i++) {
            other = "o" + i;
        }
        String key = "{" + tag + "}k";
        String list = "{" + tag + "}l";
        try (RespTestClient c = new RespTestClient(nodes.get(1).redisAddress(), 5_000, 60_000);
                RespTestClient pusher = new RespTestClient(nodes.get(2).redisAddress(), 5_000, 60_000)) {
            String incr = "return redis.call('INCR', KEYS[1])";
            assertEquals(1L, c.call("EVAL", incr, "1", key));
            assertEquals(2L, c.call("EVAL", incr, "1", key));
            assertEquals("2", c.call("GET", key));
            for (Shard s : nodes.get(0).shards()) {
                assertEquals(s.index() == g ? 1 : 0, exists(s, key), key + " in group " + s.index());
            }
            assertTrue(err(c.call("EVAL", incr, "2", key, other)).startsWith("CROSSSLOT"));

            assertEquals(1L, c.call("RPUSH", list, "a"));
            assertEquals(List.of(list, "a"), c.call("BLPOP", list, "5"));
            // Empty now: BLPOP waits until another client pushes to the list, in the list's group.
            c.writeRaw(RespTestClient.encode("BLPOP", list, "30"));
            Thread.sleep(300);
            assertEquals(1L, pusher.call("RPUSH", list, "b"));
            assertEquals(List.of(list, "b"), c.read());
            assertTrue(err(c.call("BLPOP", list, other, "1")).startsWith("CROSSSLOT"));
        }
    }

    @Test
    void leadersSpreadEvenlyAndMoveBackWhenANodeReturns() throws Exception {
        List<KvNodeConfig> configs = start(6, "rocksdb");
        assertTrue(ledBy(0) == 2 && ledBy(1) == 2 && ledBy(2) == 2, "two leaders per node");
        nodes.get(2).close();
        TestNodes.await("node 3's groups re-elected elsewhere", LONG, () -> ledBy(0) + ledBy(1) == 6);
        try (RespTestClient c = new RespTestClient(nodes.get(0).redisAddress(), 5_000, 60_000)) {
            for (int i = 0; i < 12; i++) {
                assertEquals("OK", c.call("SET", "r" + i, "x" + i));
            }
        }
        nodes.set(2, KvNode.start(configs.get(2)));
        awaitBalanced();
        assertTrue(ledBy(0) == 2 && ledBy(1) == 2 && ledBy(2) == 2, "two leaders per node again");
        try (RespTestClient c = new RespTestClient(nodes.get(2).redisAddress(), 5_000, 60_000)) {
            for (int i = 0; i < 12; i++) {
                assertEquals("x" + i, c.call("GET", "r" + i));
            }
        }
    }

    /** EXISTS of {@code key} in one group, read linearizably through that group's replica on this node. */
    private static long exists(Shard s, String key) throws Exception {
        io.raftmanager.examples.kv.proto.KvQuery q = io.raftmanager.examples.kv.proto.KvQuery.newBuilder()
                .setRedis(io.raftmanager.examples.kv.proto.RedisRead.newBuilder()
                        .addArgs(ByteString.copyFromUtf8("exists"))
                        .addArgs(ByteString.copyFromUtf8(key)))
                .build();
        ByteString r = s.raft()
                .read(q.toByteString(), io.raftmanager.ReadConsistency.LINEARIZABLE)
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        return io.raftmanager.examples.kv.proto.Reply.parseFrom(r).getInteger();
    }

    private int ledBy(int node) {
        return (int) nodes.get(node).shards().stream().filter(Shard::isLeader).count();
    }

    @Test
    void groupsAreCheckedAtStartup() throws Exception {
        KvNodeConfig c = TestNodes.cluster(dir, 1).get(0);
        StartupException e = assertThrows(StartupException.class, () -> c.withGroups(0));
        assertTrue(e.getMessage().contains("--groups"), e.getMessage());
        DataDir.prepare(dir.resolve("d"), "test", 1, 4);
        DataDir.prepare(dir.resolve("d"), "test", 1, 4);
        e = assertThrows(StartupException.class, () -> DataDir.prepare(dir.resolve("d"), "test", 1, 2));
        assertTrue(e.getMessage().contains("holds 4 group(s), not --groups 2"), e.getMessage());
    }
}
