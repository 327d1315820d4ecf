package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Membership;
import io.raftmanager.NodeStatus;
import io.raftmanager.examples.kv.admin.Json;
import io.raftmanager.examples.testing.RespTestClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes of a sharded raft-kv: a node joins every group (learner, then voter), serves every
 * group's keys and takes its share of the leaders; a node leaves every group, leaders included; repeated
 * requests are idempotent; a partial failure names the group left and a repeat finishes it.
 */
class ShardedMembershipTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final int GROUPS = 4;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    private final Map<Long, InetSocketAddress> raft = new TreeMap<>();
    private final List<KvNode> nodes = new ArrayList<>(); // index i holds node i + 1 (null once closed)

    @AfterEach
    void close() {
        nodes.stream().filter(n -> n != null).forEach(KvNode::close);
    }

    /** Nodes 1-3 bootstrap the groups; node 4 is only named, for a later --join. */
    private void startThree(String storage) throws Exception {
        for (long id = 1; id <= 4; id++) {
            raft.put(id, TestNodes.local(TestNodes.freePort()));
        }
        for (long id = 1; id <= 3; id++) {
            nodes.add(KvNode.start(config(id, false, storage)));
        }
        awaitBalanced(List.of(1L, 2L, 3L));
    }

    private KvNodeConfig config(long id, boolean join, String storage) {
        Map<Long, InetSocketAddress> peers = new TreeMap<>(raft);
        if (!join) {
            peers.remove(4L); // the bootstrap configuration: voters 1-3
        }
        return new KvNodeConfig(
                        id,
                        "test",
                        raft.get(id),
                        TestNodes.local(TestNodes.freePort()),
                        TestNodes.local(TestNodes.freePort()),
                        peers,
                        dir.resolve("n" + id),
                        join,
                        2_000, // generous: on a loaded machine a short timeout changes leaders mid-test
                        100,
                        0,
                        0,
                        KvNodeConfig.DEFAULT_MAX_BULK_BYTES,
                        20_000,
                        storage,
                        0)
                .withGroups(GROUPS);
    }

    private KvNode node(long id) {
        return nodes.get((int) id - 1);
    }

    /** Starts node 4 with --join: every group empty, waiting to be added. */
    private KvNodeConfig startJoiner(String storage) {
        KvNodeConfig c = config(4, true, storage);
        nodes.add(KvNode.start(c));
        return c;
    }

    /** Every group led by its preferred node, as each of {@code ids} sees it. */
    private void awaitBalanced(List<Long> ids) throws Exception {
        TestNodes.await(
                "every group led by its preferred node on nodes " + ids,
                LONG,
                () -> ids.stream()
                        .allMatch(id -> node(id).shards().stream()
                                .allMatch(s -> s.leader() != 0 && s.leader() == LeaderBalancer.preferred(s))));
    }

    /** Every group's configuration on each of {@code ids} has exactly {@code voters} and no learner. */
    private void awaitVoters(List<Long> ids, Long... voters) throws Exception {
        Membership want = Membership.ofVoters(
                List.of(voters).stream().mapToLong(Long::longValue).toArray());
        TestNodes.await(
                "voters " + want.voters() + " in every group on nodes " + ids,
                LONG,
                () -> ids.stream()
                        .allMatch(id -> node(id).shards().stream()
                                .allMatch(s -> s.membership().equals(want))));
    }

    private HttpResponse<String> http(long via, String method, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(
                                URI.create("http://" + KvNode.hostPort(node(via).httpAddress()) + path))
                        .timeout(Duration.ofSeconds(120))
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A one-group request, repeated while it answers 503 (a relay whose target has not announced its admin
     * address yet, or a leader changing): what an operator does; the step is idempotent.
     */
    private HttpResponse<String> untilNot503(long via, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http(via, method, path, body);
        for (int i = 0; i < 100 && r.statusCode() == 503; i++) {
            Thread.sleep(200);
            r = http(via, method, path, body);
        }
        return r;
    }

    private String addVoter4(long via) throws Exception {
        return addVoter4(via, "");
    }

    private String addVoter4(long via, String extra) throws Exception {
        HttpResponse<String> r = http(
                via,
                "POST",
                "/members",
                "{\"id\": 4, \"address\": \"" + KvNode.hostPort(raft.get(4L)) + "\", \"role\": \"voter\"" + extra
                        + "}");
        return r.statusCode() + " " + r.body();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> each(String reply) {
        return (List<Map<String, Object>>) Json.parseAny(reply.substring(4)).get("each");
    }

    private static List<Object> results(String reply) {
        return each(reply).stream().map(m -> m.get("result")).toList();
    }

    /** Sets keys until every group holds some; returns them (value = "v" + key). */
    private static List<String> writeEveryGroup(KvNode via, String prefix) throws Exception {
        KeySlots slots = new KeySlots(GROUPS);
        List<String> keys = new ArrayList<>();
        boolean[] seen = new boolean[GROUPS];
        try (RespTestClient c = new RespTestClient(via.redisAddress(), 5_000, 60_000)) {
            for (int i = 0; keys.size() < 24 || !(seen[0] && seen[1] && seen[2] && seen[3]); i++) {
                String k = prefix + i;
                set(c, k, "v" + k);
                seen[slots.groupOf(ByteString.copyFromUtf8(k))] = true;
                keys.add(k);
            }
        }
        return keys;
    }

    /** SET, retried while the key's group changes leader (the balancer moves leaders as members change). */
    private static void set(RespTestClient c, String key, String value) throws Exception {
        assertEquals("OK", call(c, "SET", key, value), key);
    }

    /**
     * A command, retried for up to 20 s while its group has no leader or changes leader ({@code TRYAGAIN},
     * {@code CLUSTERDOWN}), as a client does: leaders move as members change.
     */
    private static Object call(RespTestClient c, String... args) throws Exception {
        Object r = c.call(args);
        for (int i = 0; i < 200 && r instanceof RespTestClient.Err e && isTransient(e.message()); i++) {
            Thread.sleep(100);
            r = c.call(args);
        }
        return r;
    }

    private static boolean isTransient(String error) {
        return error.startsWith("TRYAGAIN") || error.startsWith("CLUSTERDOWN");
    }

    private static void readAll(KvNode via, List<String> keys) throws Exception {
        try (RespTestClient c = new RespTestClient(via.redisAddress(), 5_000, 60_000)) {
            for (String k : keys) {
                assertEquals(
                        "v" + k,
                        call(c, "GET", k),
                        k + " read from node " + via.config().id());
            }
        }
    }

    @Test
    void aNodeJoinsEveryGroupServesItsKeysLeadsItsShareAndAnotherLeaves() throws Exception {
        startThree("memory");
        List<String> before = writeEveryGroup(node(1), "a");
        // Idle groups quiesce, as most of a large cluster's are: the change must wake them.
        TestNodes.await(
                "every group quiesced on nodes 1-3",
                LONG,
                () -> List.of(1L, 2L, 3L).stream().allMatch(id -> node(id).quiescedGroups() == GROUPS));
        startJoiner("memory");
        for (Shard s : node(4).shards()) {
            assertTrue(s.membership().voters().isEmpty(), "a --join node starts every group empty");
            assertTrue(!s.isLeader(), "and leads none");
        }

        HttpResponse<String> early = http(4, "POST", "/members", "{\"id\": 4, \"role\": \"voter\"}");
        assertEquals(409, early.statusCode(), "a joining node cannot add itself: " + early.body());

        // Through node 2, which leads some groups and relays the others' steps to their leaders.
        String added = addVoter4(2);
        assertTrue(added.startsWith("200 "), added);
        assertTrue(added.contains("\"result\":\"done\""), added);
        assertTrue(added.contains("\"summary\":\"node 4 is a voter in all 4 groups"), added);
        for (Object result : results(added)) {
            // Promoted on a later attempt once caught up, or at once if the learner acknowledged in time
            // ("already a voter": an attempt whose answer came too late had promoted it).
            assertTrue(
                    result.equals("promoted")
                            || result.equals("added and promoted")
                            || result.equals("already a voter"),
                    added);
        }
        awaitVoters(List.of(1L, 2L, 3L, 4L), 1L, 2L, 3L, 4L);

        // Node 4 holds every group's data: its own replicas serve the keys written before it joined.
        readAll(node(4), before);
        List<String> after = writeEveryGroup(node(4), "b");
        readAll(node(1), after);

        // Idempotent: the same request again changes nothing and says so.
        String again = addVoter4(3);
        assertTrue(again.startsWith("200 "), again);
        assertEquals(
                List.of("already a voter", "already a voter", "already a voter", "already a voter"), results(again));

        // The balancer includes node 4 now that it votes everywhere: group 3 prefers it (3 mod 4).
        awaitBalanced(List.of(1L, 2L, 3L, 4L));
        assertTrue(node(4).shards().get(3).isLeader(), "node 4 leads its share");

        String status = http(4, "GET", "/status", "").body();
        assertTrue(status.contains("\"memberships\":[{\"voters\":[1,2,3,4],\"learners\":[],\"groups\":4}]"), status);
        assertTrue(status.contains("\"voters\":[1,2,3,4],\"learners\":[]}"), status);

        // Node 1 leaves every group, asked on node 1 itself, which leads group 0: the library hands that
        // leadership off once the removal is applied.
        assertTrue(node(1).shards().get(0).isLeader());
        HttpResponse<String> removed = http(1, "DELETE", "/members/1", "");
        assertEquals(200, removed.statusCode(), removed.body());
        assertTrue(
                removed.body().contains("\"summary\":\"node 1 is out of all 4 groups (4 removed)\""), removed.body());
        assertTrue(node(1).metrics().scrape().contains("raftkv_membership_changes_total{result=\"done\"} 1.0"));
        awaitVoters(List.of(2L, 3L, 4L), 2L, 3L, 4L);
        awaitBalanced(List.of(2L, 3L, 4L));
        for (long id = 2; id <= 4; id++) {
            for (Shard s : node(id).shards()) {
                assertTrue(s.leader() != 1, "group " + s.index() + " led by a remaining node");
            }
        }
        List<String> last = writeEveryGroup(node(2), "c");
        readAll(node(4), last);
        readAll(node(3), before);

        HttpResponse<String> removedAgain = http(3, "DELETE", "/members/1", "");
        assertEquals(200, removedAgain.statusCode(), removedAgain.body());
        assertEquals(
                List.of("not a member", "not a member", "not a member", "not a member"),
                results("200 " + removedAgain.body()));
        assertEquals(404, http(3, "DELETE", "/members/99", "").statusCode());
        HttpResponse<String> bad = http(3, "POST", "/members", "{\"id\": 5, \"role\": \"voter\"}");
        assertEquals(400, bad.statusCode(), "a new node needs its address: " + bad.body());
    }

    @Test
    void aPartialChangeNamesTheGroupLeftAndARepeatFinishesIt() throws Exception {
        startThree("memory");
        KvNodeConfig four = startJoiner("rocksdb");
        HttpResponse<String> learners = http(
                1,
                "POST",
                "/members",
                "{\"id\": 4, \"address\": \"" + KvNode.hostPort(raft.get(4L)) + "\", \"role\": \"learner\"}");
        assertEquals(200, learners.statusCode(), learners.body());
        assertEquals(
                List.of("added as learner", "added as learner", "added as learner", "added as learner"),
                results("200 " + learners.body()));
        // Every group's leader has seen node 4 catch up: promotion would be allowed everywhere now.
        TestNodes.await("node 4 caught up as a learner in every group", LONG, () -> {
            for (Shard s : node(1).shards()) {
                long leader = s.leader();
                NodeStatus st =
                        node(leader).shards().get(s.index()).raft().status().get(10, TimeUnit.SECONDS);
                NodeStatus.PeerStatus p = st.peers().get(4L);
                if (p == null || p.matchIndex() == 0 || p.lag() > 0) {
                    return false;
                }
            }
            return true;
        });

        // Node 4 stops; group 2 moves on by more than the catch-up margin (100 entries): its learner lags
        // there only, so the promotion succeeds in groups 0, 1 and 3 and not in group 2.
        nodes.get(3).close();
        nodes.set(3, null);
        KeySlots slots = new KeySlots(GROUPS);
        String tag = "t0";
        for (int i = 1; slots.groupOf(ByteString.copyFromUtf8(tag)) != 2; i++) {
            tag = "t" + i;
        }
        try (RespTestClient c = new RespTestClient(node(1).redisAddress(), 5_000, 60_000)) {
            for (int i = 0; i < 150; i++) {
                set(c, "{" + tag + "}" + i, "x");
            }
        }
        // 5 s: time for groups 0, 1 and 3 on a loaded machine; group 2 is retried until then.
        String partial = addVoter4(1, ", \"timeoutMillis\": 5000");
        assertTrue(partial.startsWith("503 "), partial);
        assertTrue(partial.contains("\"result\":\"partial\""), partial);
        assertTrue(partial.contains("\"done\":3,\"failed\":[2]"), partial);
        assertTrue(partial.contains("node 4 is a voter in 3 of 4 groups (3 promoted); not done in group 2"), partial);
        List<Map<String, Object>> each = each(partial);
        assertEquals(503, ((Number) each.get(2).get("status")).intValue(), partial);
        assertTrue(String.valueOf(each.get(2).get("error")).contains("still catching up"), partial);
        assertTrue(node(1).shards().get(2).membership().learners().contains(4L), "still a learner in group 2");

        // Back with its data: the same request finishes group 2 and leaves the others as they are.
        nodes.set(3, KvNode.start(four));
        String finished = addVoter4(2);
        assertTrue(finished.startsWith("200 "), finished);
        assertEquals(List.of("already a voter", "already a voter", "promoted", "already a voter"), results(finished));
        awaitVoters(List.of(1L, 2L, 3L, 4L), 1L, 2L, 3L, 4L);
    }

    @Test
    void oneGroupCanChangeAloneAndAnIdRemovedThereIsRefusedThereOnly() throws Exception {
        startThree("memory");
        startJoiner("memory");
        // Group 2's leader is node 3 (the balancer's spread); asked through node 1, the step is relayed.
        String address = KvNode.hostPort(raft.get(4L));
        HttpResponse<String> r = untilNot503(
                1, "POST", "/groups/2/members", "{\"id\": 4, \"address\": \"" + address + "\", \"role\": \"learner\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"result\":\"added as learner\""), r.body());
        r = untilNot503(1, "DELETE", "/groups/2/members/4", "");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"result\":\"removed\""), r.body());

        String refused = addVoter4(2);
        assertTrue(refused.startsWith("409 "), refused);
        assertTrue(refused.contains("\"result\":\"partial\""), refused);
        assertTrue(refused.contains("\"done\":3,\"failed\":[2]"), refused);
        assertEquals(1, ((Number) each(refused).get(2).get("attempts")).intValue(), "not retried: " + refused);
        assertTrue(String.valueOf(each(refused).get(2).get("error")).contains("REMOVED_PEER"), refused);
        assertEquals(400, http(1, "POST", "/groups/9/members", "{\"id\": 4}").statusCode(), "no group 9");
    }
}
