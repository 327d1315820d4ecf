package io.raftmanager.examples.kv.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.raftmanager.NodeStatus;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.StartupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin HTTP API (JDK {@link HttpServer}): {@code GET /status} (JSON), {@code GET /metrics}
 * (Prometheus text). Membership changes, leadership transfer and snapshots answer 501 until the library's
 * RaftNode API offers them. Every error is JSON: {@code {"error": "..."}}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final KvNode node;
    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(KvNode node, HttpServer server, ExecutorService executor) {
        this.node = node;
        this.server = server;
        this.executor = executor;
    }

    /** Binds the node's HTTP address; throws {@link StartupException} when it cannot. */
    public static AdminServer start(KvNode node) {
        InetSocketAddress address = node.config().http();
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new StartupException(
                    "cannot listen for HTTP on " + KvNode.hostPort(address) + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "raft-kv-http-" + node.config().id());
            t.setDaemon(true);
            return t;
        });
        AdminServer admin = new AdminServer(node, server, executor);
        server.setExecutor(executor);
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            if (path.equals("/status")) {
                if (requireMethod(ex, method, "GET")) {
                    status(ex);
                }
            } else if (path.equals("/metrics")) {
                if (requireMethod(ex, method, "GET")) {
                    send(
                            ex,
                            200,
                            "text/plain; version=0.0.4; charset=utf-8",
                            node.metrics().scrape());
                }
            } else if (path.equals("/members") || path.startsWith("/members/")) {
                notYet(ex, "membership changes");
            } else if (path.equals("/leader")) {
                notYet(ex, "leadership transfer");
            } else if (path.equals("/snapshot")) {
                notYet(ex, "snapshots");
            } else {
                error(ex, 404, "no such endpoint: " + path);
            }
        } catch (RuntimeException e) {
            LOG.warn("admin request failed", e);
            error(ex, 500, "internal error: " + e.getMessage());
        }
    }

    private void status(HttpExchange ex) throws IOException {
        NodeStatus s;
        try {
            s = node.raft().status().get(node.config().requestTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            error(ex, 503, "node status unavailable: " + e);
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", s.id());
        json.put("role", s.role().name().toLowerCase(Locale.ROOT));
        json.put("term", s.term());
        json.put("leader", s.leader());
        json.put("commitIndex", s.commitIndex());
        json.put("appliedIndex", s.appliedIndex());
        json.put("lastIndex", s.lastIndex());
        json.put("redis", KvNode.hostPort(node.redisAddress()));
        List<Object> members = new ArrayList<>();
        node.config().peers().forEach((id, raftAddress) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("raft", KvNode.hostPort(raftAddress));
            m.put("redis", node.redisAddressOf(id).map(KvNode::hostPort).orElse(null));
            m.put("role", id == s.leader() ? "leader" : "voter");
            NodeStatus.PeerStatus p = s.peers().get(id);
            m.put("matchIndex", p == null ? null : p.matchIndex());
            m.put("lag", p == null ? null : p.lag());
            members.add(m);
        });
        json.put("members", members);
        send(ex, 200, "application/json", Json.write(json));
    }

    private static boolean requireMethod(HttpExchange ex, String method, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", allowed);
        error(ex, 405, "use " + allowed);
        return false;
    }

    private static void notYet(HttpExchange ex, String what) throws IOException {
        // TODO(issues 3/4): membership, transfer and snapshot endpoints once RaftNode exposes them.
        error(ex, 501, what + " are not available in this version of raft-manager yet");
    }

    private static void error(HttpExchange ex, int code, String message) throws IOException {
        send(ex, code, "application/json", Json.write(Map.of("error", message, "status", code)));
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
