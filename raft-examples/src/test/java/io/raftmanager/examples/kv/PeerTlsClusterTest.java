package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * raft-kv with peer mutual TLS, in-process nodes on 127.0.0.1: members with their own certificates form a
 * cluster; a node with a certificate from another CA, or a valid certificate for another node id, is
 * refused (counted, logged) and cannot disturb it; rotating every certificate and the CA under load loses
 * no acknowledged write.
 */
class PeerTlsClusterTest {
    static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private SecureNodes cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeWithACertificateFromAnotherCaCannotJoinOrDisturb() throws Exception {
        Pki ca = Pki.newCa("cluster-ca", Duration.ofDays(1));
        Pki other = Pki.newCa("other-ca", Duration.ofDays(1));
        cluster = new SecureNodes(dir, 3);
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, ca.issueNode(id), ca);
        }
        // Node 3 comes back with a well-formed certificate for its own id, from a CA the cluster does not
        // trust.
        refusedOutsiderLeavesTheClusterServing(
                () -> cluster.install(3, other.issueNode(3), ca, other),
                n -> n.transport().stats().tlsRejected());
    }

    @Test
    void aNodeWithAValidCertificateForAnotherIdIsRefused() throws Exception {
        Pki ca = Pki.newCa("cluster-ca", Duration.ofDays(1));
        cluster = new SecureNodes(dir, 3);
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, ca.issueNode(id), ca);
        }
        // Node 3 comes back holding node 2's (valid) certificate: it may not speak as node 3 with it.
        refusedOutsiderLeavesTheClusterServing(
                () -> cluster.install(3, ca.issueNode(2), ca),
                n -> n.transport().stats().inboundRefusedByReason().getOrDefault(Reason.WRONG_IDENTITY, 0L));
        String metrics = cluster.nodes.get(1L).metrics().scrape();
        assertTrue(metrics.matches("(?s).*raft_transport_refused_total\\{reason=\"wrong_identity\"} [1-9].*"), metrics);
    }

    /**
     * The three nodes form the cluster first (a brand-new cluster needs every voter to answer once,
     * docs/storage-faults.md); then node 3 restarts with {@code badCertificate} installed.
     */
    private void refusedOutsiderLeavesTheClusterServing(
            Runnable badCertificate, java.util.function.ToLongFunction<KvNode> refusals) throws Exception {
        KvNode n1 = cluster.start(1);
        KvNode n2 = cluster.start(2);
        cluster.start(3);
        cluster.awaitLeader(BOUND, 1, 2, 3);
        // A leader needs only two recovered voters; the third may still wait for node 3's answer, and
        // without node 3 it could then never vote.
        TestNodes.await("every node recovered", BOUND, () -> {
            for (KvNode n : cluster.nodes.values()) {
                if (n.raft()
                        .status()
                        .get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .recovering()) {
                    return false;
                }
            }
            return true;
        });
        cluster.stop(3);
        badCertificate.run();
        KvNode n3 = cluster.start(3);
        KvNode leader = cluster.awaitLeader(BOUND, 1, 2);
        try (RespTestClient c = new RespTestClient(leader.redisAddress())) {
            assertEquals("OK", c.call("SET", "k", "v"));
        }
        TestNodes.await(
                "nodes 1 and 2 to refuse node 3",
                BOUND,
                () -> refusals.applyAsLong(n1) > 0 && refusals.applyAsLong(n2) > 0);
        TestNodes.await(
                "the write on both members", BOUND, () -> localGet(n1, "k") != null && localGet(n2, "k") != null);
        // The outsider never got a single entry, never led, and never moved the members' term by itself.
        assertEquals(null, localGet(n3, "k"));
        assertFalse(n3.isLeader());
        long term = leader.term();
        try (RespTestClient c = new RespTestClient(leader.redisAddress())) {
            for (int i = 0; i < 20; i++) {
                assertEquals("OK", c.call("SET", "k" + i, "v"));
            }
        }
        assertEquals(term, leader.term(), "node 3's elections must not reach the members");
        assertTrue(n1.transport().stats().messagesReceived() > 0, "node 1 hears node 2");
    }

    @Test
    void rotatingCertificatesAndTheCaUnderLoadLosesNoWrite() throws Exception {
        Pki oldCa = Pki.newCa("old-ca", Duration.ofDays(1));
        Pki newCa = Pki.newCa("new-ca", Duration.ofDays(1));
        cluster = new SecureNodes(dir, 3);
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, oldCa.issueNode(id), oldCa);
            cluster.start(id);
        }
        KvNode leader = cluster.awaitLeader(BOUND, 1, 2, 3);
        List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (RespTestClient c = new RespTestClient(leader.redisAddress())) {
                for (int i = 0; !stop.get(); i++) {
                    if ("OK".equals(c.call("SET", "w" + i, Integer.toString(i)))) {
                        acknowledged.add("w" + i);
                    }
                }
            } catch (Exception e) {
                acknowledged.add("writer failed: " + e);
            }
        });
        writer.start();
        TestNodes.await("writes flowing", BOUND, () -> acknowledged.size() > 50);
        // 1. trust both CAs; 2. new certificates from the new CA; 3. trust only the new CA.
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, oldCa.issueNode(id), oldCa, newCa);
        }
        reloadAll();
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, newCa.issueNode(id), oldCa, newCa);
        }
        reloadAll();
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, newCa.issueNode(id), newCa);
        }
        reloadAll();
        int before = acknowledged.size();
        TestNodes.await("writes flowing after the rotation", BOUND, () -> acknowledged.size() > before + 50);
        // A follower restarted now can only connect with the new certificates.
        long follower = cluster.nodes.keySet().stream()
                .filter(id -> id != leader.config().id())
                .findFirst()
                .orElseThrow();
        cluster.stop(follower);
        KvNode restarted = cluster.start(follower);
        stop.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(acknowledged.stream().anyMatch(s -> s.startsWith("writer failed")), acknowledged.toString());
        String last = acknowledged.get(acknowledged.size() - 1);
        try {
            TestNodes.await("the restarted follower to catch up", BOUND, () -> localGet(restarted, last) != null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": restarted applied "
                    + restarted.stateMachine().appliedIndex()
                    + " leader " + leader.isLeader() + " applied "
                    + leader.stateMachine().appliedIndex()
                    + " restarted " + restarted.transport().stats() + " leader "
                    + leader.transport().stats());
        }
        for (KvNode n : cluster.nodes.values()) {
            TestNodes.await(
                    "node " + n.config().id() + " to apply every write", BOUND, () -> localGet(n, last) != null);
            for (String k : acknowledged) {
                assertTrue(localGet(n, k) != null, "node " + n.config().id() + " lost " + k);
            }
            assertTrue(n.metrics().scrape().contains("raftkv_tls_reloads_total{outcome=\"ok\"}"), "reload metric");
        }
        assertEquals(0, leader.transport().stats().tlsRejected(), "no handshake failed during the rotation");
    }

    private void reloadAll() throws Exception {
        for (KvNode n : cluster.nodes.values()) {
            n.reloadPeerTls().get(30, TimeUnit.SECONDS);
        }
        for (KvNode n : cluster.nodes.values()) {
            assertTrue(
                    n.metrics().scrape().matches("(?s).*raftkv_tls_reloads_total\\{outcome=\"failed\"} 0\\.0.*"),
                    "node " + n.config().id() + " reloads failed");
        }
    }

    /** What {@code n}'s state machine holds for {@code key} right now (null if nothing). */
    private static ByteString localGet(KvNode n, String key) {
        var r = n.stateMachine()
                .query(io.raftmanager.examples.kv.proto.KvQuery.newBuilder()
                        .setGet(io.raftmanager.examples.kv.proto.Get.newBuilder()
                                .setKey(ByteString.copyFrom(key, StandardCharsets.UTF_8)))
                        .build());
        return r.hasBulk() ? r.getBulk() : null;
    }
}
