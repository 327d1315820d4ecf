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
import java.util.concurrent.CompletableFuture;

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
        return forward(node.leader(), "leader", method, path, body, alreadyForwarded);
    }

    /** As {@link #forward(String, String, String, boolean)}, to {@code leader} (0: none known). */
    Relayed forward(long leader, String what, String method, String path, String body, boolean alreadyForwarded)
            throws IOException {
        if (alreadyForwarded) {
            return error(503, "node " + node.config().id() + " is not the " + what + "; retry");
        }
        try {
            return relay(leader, what, method, path, body).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    /**
     * Sends the request to node {@code to}'s admin server, marked as relayed; completes with its answer, or
     * with a 503 (no such node known, its address not announced yet) or 502 (unreachable) of our own.
     */
    CompletableFuture<Relayed> relay(long to, String what, String method, String path, String body) {
        Optional<InetSocketAddress> admin = to == 0 ? Optional.empty() : node.httpAddressOf(to);
        if (to == 0) {
            return CompletableFuture.completedFuture(error(503, "no " + what));
        } else if (admin.isEmpty()) {
            return CompletableFuture.completedFuture(
                    error(503, what + " " + to + " has not announced its admin address yet; retry"));
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
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((r, e) -> r != null
                        ? new Relayed(r.statusCode(), r.body())
                        : error(
                                502,
                                "cannot reach " + what + " " + to + " at " + KvNode.hostPort(admin.get()) + ": "
                                        + (e.getCause() != null ? e.getCause() : e)));
    }

    private static Relayed error(int status, String message) {
        return new Relayed(
                status, Json.write(MembershipAdmin.Reply.error(status, message).body()));
    }

    /** What the leader answered. */
    record Relayed(int status, String body) {}
}
