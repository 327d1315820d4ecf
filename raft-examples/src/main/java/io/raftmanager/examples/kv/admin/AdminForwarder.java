package io.raftmanager.examples.kv.admin;

import io.raftmanager.examples.kv.KvNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Relays an admin write that reached a follower to the leader's admin server, whose address the leader
 * logged in its announcement when it took over. The leader's status and body are returned unchanged. A
 * relayed request carries {@value #HEADER} and is never relayed again, so a stale view cannot loop.
 */
final class AdminForwarder {
    static final String HEADER = "X-Raft-Kv-Forwarded-By";

    private final KvNode node;
    private final HttpClient client;
    private final Duration timeout;
    private final String scheme;

    AdminForwarder(KvNode node) {
        this.node = node;
        this.timeout = Duration.ofMillis(node.config().requestTimeoutMillis() + 1_000);
        HttpClient.Builder b =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1);
        var tls = node.config().security().adminTls();
        if (tls != null) {
            b.sslContext(AdminTls.client(tls));
        }
        this.scheme = tls != null ? "https://" : "http://";
        this.client = b.build();
    }

    /**
     * Relays the request to the leader and returns its answer, or answers 503 itself when there is no
     * leader to relay to (none known, its address not announced yet, or this request was relayed already).
     */
    Relayed forward(String method, String path, String body, boolean alreadyForwarded) throws IOException {
        long leader = node.leader();
        Optional<InetSocketAddress> admin = leader == 0 ? Optional.empty() : node.httpAddressOf(leader);
        if (alreadyForwarded) {
            return error(503, "node " + node.config().id() + " is not the leader; retry");
        } else if (leader == 0) {
            return error(503, "no leader");
        } else if (admin.isEmpty()) {
            return error(503, "leader " + leader + " has not announced its admin address yet; retry");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + KvNode.hostPort(admin.get()) + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(HEADER, Long.toString(node.config().id()))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        io.raftmanager.examples.kv.security.Secret token = node.adminToken();
        if (token != null) {
            // The caller proved the token here; the leader checks it again (every node holds the same one).
            request.header("Authorization", "Bearer " + token.reveal());
        }
        try {
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Relayed(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "interrupted");
        } catch (IOException e) {
            return error(502, "cannot reach leader " + leader + " at " + KvNode.hostPort(admin.get()) + ": " + e);
        }
    }

    private static Relayed error(int status, String message) {
        return new Relayed(
                status, Json.write(MembershipAdmin.Reply.error(status, message).body()));
    }

    /** What the leader answered. */
    record Relayed(int status, String body) {}
}
