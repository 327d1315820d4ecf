package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.NodeStatus;
import io.raftmanager.Role;
import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage-fault example of docs/storage-faults.md, end to end on three raft-kv nodes on RocksDB:
 * W is acknowledged by nodes 1 and 2 while 3 is down; 1 and 2 stop and 2's data directory is deleted;
 * 2 and 3 restart with their usual configuration. They must refuse to elect a leader (3 lacks W) and
 * say why, until 1 returns; then W is on every node. With recovery off (the planted bug) W is lost.
 */
class KvStorageFaultTest {
    @TempDir
    Path dir;

    private final Map<Long, KvNodeConfig> configs = new HashMap<>();
    private final Map<Long, KvNode> running = new HashMap<>();

    @AfterEach
    void stopAll() {
        running.values().forEach(KvNode::close);
        KvNode.plantedNoStorageRecovery = false;
    }

    private void configure() {
        configure(0);
    }

    private void configure(long snapshotEntries) {
        configure(snapshotEntries, 1);
    }

    private void configure(long snapshotEntries, int groups) {
        Map<Long, InetSocketAddress> peers = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            peers.put(id, TestNodes.local(TestNodes.freePort()));
        }
        for (long id = 1; id <= 3; id++) {
            configs.put(
                    id,
                    new KvNodeConfig(
                            id,
                            "storage-faults",
                            peers.get(id),
                            TestNodes.local(TestNodes.freePort()),
                            null,
                            peers,
                            dir.resolve("n" + id),
                            false,
                            300,
                            50,
                            snapshotEntries,
                            0,
                            4096,
                            5_000,
                            "rocksdb",
                            1,
                            KvSecurity.NONE,
                            KvNodeConfig.DEFAULT_DATABASES,
                            groups));
        }
    }

    private void start(long id) {
        running.put(id, KvNode.start(configs.get(id)));
    }

    private void stop(long id) {
        running.remove(id).close();
    }

    private static NodeStatus status(KvNode n) throws Exception {
        return n.raft().status().get(5, TimeUnit.SECONDS);
    }

    private KvNode leader() throws Exception {
        for (KvNode n : running.values()) {
            if (status(n).role() == Role.LEADER) {
                return n;
            }
        }
        return null;
    }

    private static Object call(KvNode n, String... command) throws Exception {
        try (RespTestClient c = new RespTestClient(n.redisAddress())) {
            return c.call(command);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /** Steps 1 and 2 of the example; returns with nodes 2 and 3 running again, 1 stopped. */
    private void writeWThenWipeNodeTwo() throws Exception {
        configure();
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        TestNodes.await("a leader", Duration.ofSeconds(60), () -> leader() != null);
        TestNodes.await("a first write", Duration.ofSeconds(60), () -> "OK".equals(call(leader(), "SET", "boot", "1")));
        TestNodes.await("3 applied it", Duration.ofSeconds(60), () -> "1".equals(call(running.get(3L), "GET", "boot")));
        stop(3);
        TestNodes.await("W acknowledged by 1 and 2", Duration.ofSeconds(60), () -> {
            KvNode l = leader();
            return l != null && "OK".equals(call(l, "SET", "W", "x"));
        });
        stop(1);
        stop(2);
        deleteTree(dir.resolve("n2"));
        start(2);
        start(3);
    }

    @Test
    void aWipedNodeRefusesToHelpAStaleNodeLeadAndNoAcknowledgedWriteIsLost() throws Exception {
        writeWThenWipeNodeTwo();
        // Many election timeouts: 3 campaigns, 2 refuses; no leader, and 2 says why.
        Thread.sleep(3_000);
        assertNull(leader(), "2 and 3 must not elect a leader without W");
        String why = status(running.get(2L)).recovery();
        assertNotNull(why, "2 reports its recovery");
        assertTrue(why.startsWith("recovering"), why);
        String info = String.valueOf(call(running.get(2L), "INFO", "raft"));
        assertTrue(info.contains("raft_recovery:recovering"), info);

        start(1);
        TestNodes.await("a leader once 1 is back", Duration.ofSeconds(60), () -> leader() != null);
        for (long id = 1; id <= 3; id++) {
            KvNode n = running.get(id);
            TestNodes.await("W on node " + id, Duration.ofSeconds(60), () -> "x".equals(call(n, "GET", "W")));
        }
        TestNodes.await(
                "2 recovered",
                Duration.ofSeconds(60),
                () -> status(running.get(2L)).recovery() == null);
        assertEquals("x", call(leader(), "GET", "W"));
    }

    /**
     * A damaged local snapshot (the log is compacted behind it) is a detected loss, not a crash loop: the
     * node sets its log and snapshots aside, starts empty and recovering, and gets everything back from
     * its peers. Without the recovery path the start fails with SnapshotChecksumException.
     */
    @Test
    void aDamagedLocalSnapshotIsSetAsideAndTheNodeRecoversFromItsPeers() throws Exception {
        configure(5);
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        TestNodes.await("a leader", Duration.ofSeconds(60), () -> leader() != null);
        for (int i = 0; i < 12; i++) {
            String key = "k" + i;
            TestNodes.await("SET " + key, Duration.ofSeconds(60), () -> "OK".equals(call(leader(), "SET", key, "v")));
        }
        Path snapshots = dir.resolve("n2");
        TestNodes.await(
                "2 took a snapshot",
                Duration.ofSeconds(60),
                () -> !snapshotFiles(snapshots).isEmpty());
        stop(2);
        for (Path snap : snapshotFiles(snapshots)) {
            byte[] bytes = Files.readAllBytes(snap);
            bytes[0] ^= 0x40; // the payload's first byte: its checksum no longer matches
            Files.write(snap, bytes);
        }

        start(2); // must not fail
        KvNode two = running.get(2L);
        try {
            TestNodes.await(
                    "2 recovered", Duration.ofSeconds(60), () -> status(two).recovery() == null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + status(two) + " leader: " + status(leader()), e);
        }
        TestNodes.await("2 has k11 again", Duration.ofSeconds(60), () -> "v".equals(call(two, "GET", "k11")));
        try (Stream<Path> aside = Files.walk(snapshots)) {
            assertTrue(
                    aside.anyMatch(p -> p.getFileName().toString().startsWith("raft-log.corrupt-")),
                    "the damaged log is kept aside, not deleted");
        }
    }

    /**
     * Sharded over two groups: one group's local snapshot is damaged. Only that group is set aside and
     * relearned from the peers; the node starts, and the other group keeps its state.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "damaged {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"payload", "trailer"})
    void withSeveralGroupsADamagedSnapshotSetsAsideOnlyItsGroup(String where) throws Exception {
        configure(5, 2);
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        KeySlots slots = new KeySlots(2);
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; keys.size() < 24; i++) {
            String key = "{g" + i + "}k";
            if (slots.groupOf(com.google.protobuf.ByteString.copyFromUtf8(key)) == (keys.size() % 2 == 0 ? 1 : 0)) {
                keys.add(key); // both groups get writes, half each
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            KvNode via = running.get(1L + i % 3);
            TestNodes.await("SET " + key, Duration.ofSeconds(60), () -> "OK".equals(call(via, "SET", key, "v")));
        }
        Path groupOne = dir.resolve("n2");
        try {
            TestNodes.await(
                    "2 took a snapshot of group 1",
                    Duration.ofSeconds(60),
                    () -> snapshotFiles(groupOne).stream()
                            .anyMatch(p -> p.toString().contains("group-1")));
        } catch (AssertionError e) {
            try (Stream<Path> walk = Files.walk(groupOne)) {
                throw new AssertionError(
                        e.getMessage() + ": " + walk.map(Path::toString).toList(), e);
            }
        }
        long groupZeroApplied = status(running.get(2L).shards().get(0).raft()).appliedIndex();
        stop(2);
        for (Path snap : snapshotFiles(groupOne)) {
            if (snap.toString().contains("group-1")) {
                byte[] bytes = Files.readAllBytes(snap);
                bytes[where.equals("payload") ? 0 : bytes.length - 1] ^= 0x40;
                Files.write(snap, bytes);
            }
        }

        start(2); // must not fail
        KvNode two = running.get(2L);
        io.raftmanager.RaftNode g1 = two.shards().get(1).raft();
        io.raftmanager.RaftNode g0 = two.shards().get(0).raft();
        TestNodes.await(
                "2's group 0 resumes from its own disk",
                Duration.ofSeconds(60),
                () -> status(g0).recovery() == null && status(g0).appliedIndex() >= groupZeroApplied);
        try {
            TestNodes.await(
                    "2's group 1 recovered",
                    Duration.ofSeconds(60),
                    () -> status(g1).recovery() == null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + status(g1), e);
        }
        long leaderCommit = 0;
        for (KvNode n : running.values()) {
            NodeStatus st = status(n.shards().get(1).raft());
            if (st.role() == Role.LEADER) {
                leaderCommit = st.commitIndex();
            }
        }
        long target = leaderCommit;
        TestNodes.await(
                "2's group 1 applied the log again",
                Duration.ofSeconds(60),
                () -> status(g1).appliedIndex() >= target);
        assertNull(status(g0).recovery(), "group 0 was not touched");
        try (Stream<Path> aside = Files.walk(groupOne)) {
            assertTrue(
                    aside.anyMatch(p -> p.getFileName().toString().matches("raft-log\\.corrupt-\\d+-group-1")),
                    "group 1's damaged snapshots are kept aside, not deleted");
        }
    }

    private static NodeStatus status(io.raftmanager.RaftNode n) throws Exception {
        return n.status().get(5, TimeUnit.SECONDS);
    }

    private static java.util.List<Path> snapshotFiles(Path nodeDir) throws IOException {
        try (Stream<Path> walk = Files.walk(nodeDir)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".snap")
                            && !p.toString().contains("raft-log.corrupt-"))
                    .toList();
        }
    }

    /** The planted bug: without recovery the wiped node votes at once, 3 leads without W, and W is lost. */
    @Test
    void withoutRecoveryTheSameStepsLoseW() throws Exception {
        KvNode.plantedNoStorageRecovery = true;
        writeWThenWipeNodeTwo();
        TestNodes.await("2 and 3 elect a leader", Duration.ofSeconds(60), () -> leader() != null);
        KvNode leader = leader();
        start(1);
        TestNodes.await(
                "1 follows",
                Duration.ofSeconds(60),
                () -> status(running.get(1L)).leader().isPresent());
        assertNotEquals(Role.LEADER, status(running.get(1L)).role());
        assertNull(call(leader, "GET", "W"), "the acknowledged W is gone");
    }
}
