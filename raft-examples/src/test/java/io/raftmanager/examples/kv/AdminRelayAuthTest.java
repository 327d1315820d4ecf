package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin write sent to a follower is checked there and again on the leader: a wrong token stops at the
 * follower, the right one is carried along and the write happens (three nodes with peer mTLS).
 */
class AdminRelayAuthTest {
    static final String TOKEN = "relay-test-token-0123456789";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SecureNodes cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> post(KvNode to, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + KvNode.hostPort(to.httpAddress()) + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFollowerRelaysOnlyAuthenticatedWritesAndTheLeaderChecksAgain() throws Exception {
        Pki ca = Pki.newCa("relay-ca", Duration.ofDays(1));
        cluster = new SecureNodes(dir, 3);
        cluster.adminToken = Secret.of(TOKEN);
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, ca.issueNode(id), ca);
            cluster.start(id);
        }
        KvNode leader = cluster.awaitLeader(SecureNodes.BOUND, 1, 2, 3);
        // Followers relay only once they know where the leader's admin API is (its announcement).
        KvNode follower = cluster.nodes.values().stream()
                .filter(n -> n != leader)
                .findFirst()
                .orElseThrow();
        TestNodes.await(
                "the follower to learn the leader's admin address",
                SecureNodes.BOUND,
                () -> follower.httpAddressOf(leader.config().id()).isPresent());
        // A node started before its peers finishes its start-up recovery a few election timeouts after
        // they answer (paced probes); leadership moves only to a node that votes and campaigns again.
        TestNodes.await(
                "the follower to finish recovering",
                SecureNodes.BOUND,
                () -> follower.raft()
                                .status()
                                .get(5, java.util.concurrent.TimeUnit.SECONDS)
                                .recovery()
                        == null);
        String body = "{\"id\": " + follower.config().id() + "}";

        HttpResponse<String> wrong = post(follower, "/leader", body, "not-" + TOKEN);
        assertEquals(401, wrong.statusCode(), wrong.body());
        HttpResponse<String> none = post(leader, "/leader", body, null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(leader.isLeader(), "a refused transfer moved nothing");

        HttpResponse<String> ok = post(follower, "/leader", body, TOKEN);
        assertEquals(200, ok.statusCode(), ok.body());
        TestNodes.await("the follower to lead", SecureNodes.BOUND, follower::isLeader);
    }
}
