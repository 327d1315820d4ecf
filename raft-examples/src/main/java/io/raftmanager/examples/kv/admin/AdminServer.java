package io.raftmanager.examples.kv.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.raftmanager.NodeStatus;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.StartupException;
import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin HTTP API (JDK {@link HttpServer}): {@code GET /status} (JSON), {@code GET /metrics}
 * (Prometheus text), and the writes {@code POST /members}, {@code DELETE /members/{id}}, {@code POST
 * /leader} ({@link MembershipAdmin}); a write that reaches a follower is relayed to the leader ({@link
 * AdminForwarder}). {@code POST /snapshot} snapshots this node now and compacts its log (every node
 * snapshots on its own, so it is never relayed). Every error is JSON: {@code {"error": "...", "status": N}}.
 *
 * <p>With an admin token ({@code --admin-token-file}) every endpoint requires {@code Authorization: Bearer
 * <token>}; a missing or wrong token is answered {@code 401} before anything else happens. The token is
 * compared in constant time and never logged. Without a token the server must listen on a loopback address
 * ({@link io.raftmanager.examples.kv.KvNodeConfig} refuses anything else). With admin TLS it serves HTTPS.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 60_000;

    private final KvNode node;
    private final HttpServer server;
    private final ExecutorService executor;
    private final MembershipAdmin membership;
    private final AdminForwarder forwarder;
    private final java.util.concurrent.atomic.AtomicLong lastAuthWarnNanos =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - AUTH_WARN_INTERVAL_NANOS);
    private static final long AUTH_WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private AdminServer(KvNode node, HttpServer server, ExecutorService executor) {
        this.node = node;
        this.server = server;
        this.executor = executor;
        this.membership = new MembershipAdmin(node);
        this.forwarder = new AdminForwarder(node);
    }

    /** Binds the node's HTTP address; throws {@link StartupException} when it cannot. */
    public static AdminServer start(KvNode node) {
        InetSocketAddress address = node.config().http();
        KvSecurity security = node.config().security();
        HttpServer server;
        try {
            if (security.adminTls() != null) {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(AdminTls.server(security.adminTls())));
                server = https;
            } else {
                server = HttpServer.create(address, 64);
            }
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
            // Errors are answered inside the try-with-resources: once the exchange is closed nothing can be sent.
            try {
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
                // Read the whole body up front, whatever the answer: unread bytes would spoil a kept-alive connection.
                String body = readBody(ex);
                if (!authorized(ex)) {
                    return;
                }
                if (path.equals("/status")) {
                    if (requireMethod(ex, method, "GET")) {
                        status(ex, !"groups=summary".equals(ex.getRequestURI().getQuery()));
                    }
                } else if (path.equals("/metrics")) {
                    if (requireMethod(ex, method, "GET")) {
                        send(
                                ex,
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                node.metrics().scrape());
                    }
                } else if (path.equals("/members")) {
                    if (requireMethod(ex, method, "POST")) {
                        write(ex, method, path, body, membership::addMember);
                    }
                } else if (path.startsWith("/members/")) {
                    if (requireMethod(ex, method, "DELETE")) {
                        long id = memberId(path.substring("/members/".length()));
                        write(ex, method, path, body, request -> membership.removeMember(id));
                    }
                } else if (path.equals("/leader")) {
                    if (requireMethod(ex, method, "POST")) {
                        write(ex, method, path, body, membership::transferLeader);
                    }
                } else if (path.equals("/snapshot")) {
                    if (requireMethod(ex, method, "POST")) {
                        snapshot(ex);
                    }
                } else {
                    error(ex, 404, "no such endpoint: " + path);
                }
            } catch (IllegalArgumentException e) {
                error(ex, 400, String.valueOf(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("admin request failed", e);
                error(ex, 500, "internal error: " + e);
            }
        }
    }

    /** With a token set: answers 401 (and counts it) unless the request carries it; true when it may go on. */
    private boolean authorized(HttpExchange ex) throws IOException {
        Secret token = node.adminToken(); // read per request: the token file may have been rotated
        if (token == null) {
            return true;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip()
                : null;
        if (token.matches(presented)) {
            return true;
        }
        node.metrics().adminAuthFailed();
        long now = System.nanoTime();
        long last = lastAuthWarnNanos.get();
        if (now - last >= AUTH_WARN_INTERVAL_NANOS && lastAuthWarnNanos.compareAndSet(last, now)) {
            LOG.warn(
                    "node {}: refused an admin request from {} ({} {}): {} bearer token (further refusals for 10 s"
                            + " are counted in raftkv_auth_failures_total only)",
                    node.config().id(),
                    ex.getRemoteAddress(),
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    presented == null ? "no" : "wrong");
        }
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"raft-kv\"");
        error(ex, 401, presented == null ? "missing bearer token" : "wrong bearer token");
        return false;
    }

    private void status(HttpExchange ex, boolean everyGroup) throws IOException {
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
        json.put("leader", s.leader().orElse(0)); // 0: none known
        json.put("commitIndex", s.commitIndex());
        json.put("appliedIndex", s.appliedIndex());
        json.put("lastIndex", s.lastIndex());
        // Non-null while the node recovers from empty or lost storage: why it does not vote yet.
        json.put("recovery", s.recovery());
        // True while the disk is full: writes are refused, reads still served.
        json.put("diskFull", s.diskFull());
        json.put("redis", KvNode.hostPort(node.redisAddress()));
        json.put("snapshotIndex", node.stateMachine().snapshotIndex());
        json.put("restoredSnapshotIndex", node.stateMachine().restoredIndex());
        // The configuration in effect here; match index and lag are known only on the leader.
        io.raftmanager.Membership conf = node.membership();
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        ids.addAll(conf.voters());
        ids.addAll(conf.outgoingVoters());
        ids.addAll(conf.learners());
        ids.addAll(conf.learnersOnLeave());
        List<Object> members = new ArrayList<>();
        for (long id : ids) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("raft", node.raftAddressOf(id).orElse(null));
            m.put("redis", node.redisAddressOf(id).map(KvNode::hostPort).orElse(null));
            m.put("role", roleOf(conf, id, s.leader().orElse(0)));
            NodeStatus.PeerStatus p = s.peers().get(id);
            m.put("matchIndex", p == null ? null : p.matchIndex());
            m.put("lag", p == null ? null : p.lag());
            members.add(m);
        }
        if (conf.joint()) {
            json.put("joint", true);
        }
        json.put("members", members);
        if (node.shards().size() > 1) {
            putGroups(json, everyGroup);
        }
        send(ex, 200, "application/json", Json.write(json));
    }

    /**
     * With several groups: a summary over them and, unless {@code /status?groups=summary} asked for the
     * summary only (pollers such as the cluster launcher: ten thousand entries four times a second are
     * the bulk of an idle node's CPU), one entry per group. The fields above are group 0's.
     */
    private void putGroups(Map<String, Object> json, boolean everyGroup) {
        io.raftmanager.examples.kv.GroupSummary g = io.raftmanager.examples.kv.GroupSummary.of(node);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", g.states().size());
        summary.put("led", g.led());
        summary.put("leaderless", g.leaderless());
        summary.put("quiesced", g.quiesced());
        Map<String, Object> byNode = new LinkedHashMap<>();
        g.leadersByNode().forEach((id, n) -> byNode.put(Long.toString(id), n));
        summary.put("leadersByNode", byNode);
        if (everyGroup) {
            List<Object> each = new ArrayList<>();
            for (int i = 0; i < g.states().size(); i++) {
                io.raftmanager.NodeState s = g.states().get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", i);
                if (s != null) {
                    m.put("role", s.role().name().toLowerCase(Locale.ROOT));
                    m.put("term", s.term());
                    m.put("leader", s.leader().orElse(0)); // 0: none known
                    m.put("commitIndex", s.commitIndex());
                    m.put("appliedIndex", s.appliedIndex());
                    m.put("lastIndex", s.lastIndex());
                }
                each.add(m);
            }
            summary.put("each", each);
        }
        json.put("groups", summary);
    }

    private static String roleOf(io.raftmanager.Membership conf, long id, long leader) {
        if (id == leader) {
            return "leader";
        }
        return MembershipAdmin.isVoter(conf, id) ? "voter" : "learner";
    }

    private static boolean requireMethod(HttpExchange ex, String method, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", allowed);
        error(ex, 405, "use " + allowed);
        return false;
    }

    /**
     * Runs an admin write here when this node leads, else relays it to the leader. The body is parsed
     * first, so a malformed request is answered 400 wherever it arrives.
     */
    private void write(
            HttpExchange ex,
            String method,
            String path,
            String body,
            java.util.function.Function<Map<String, Object>, MembershipAdmin.Reply> onLeader)
            throws IOException {
        Map<String, Object> request = body.isBlank() ? Map.of() : Json.parseObject(body);
        if (!node.isLeader()) {
            boolean forwarded = ex.getRequestHeaders().containsKey(AdminForwarder.HEADER);
            AdminForwarder.Relayed r = forwarder.forward(method, path, body, forwarded);
            send(ex, r.status(), "application/json", r.body());
            return;
        }
        MembershipAdmin.Reply reply = onLeader.apply(request);
        send(ex, reply.status(), "application/json", Json.write(reply.body()));
    }

    private static String readBody(HttpExchange ex) throws IOException {
        try (java.io.InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("request body over " + MAX_BODY_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static long memberId(String text) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("'" + text + "' is not a member id (a positive integer)");
    }

    /** Takes a snapshot now and answers its index, term and size once it is durable. */
    private void snapshot(HttpExchange ex) throws IOException {
        SnapshotInfo meta;
        try {
            meta = node.raft()
                    .snapshotNow()
                    .get(
                            Math.max(SNAPSHOT_TIMEOUT_MILLIS, node.config().requestTimeoutMillis()),
                            TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "interrupted");
            return;
        } catch (TimeoutException e) {
            error(ex, 503, "the snapshot is still being written; see GET /status for its index");
            return;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int code = cause instanceof UnsupportedOperationException ? 501 : 503;
            error(ex, code, "snapshot failed: " + cause);
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("index", meta.index());
        json.put("term", meta.term());
        json.put("sizeBytes", meta.sizeBytes());
        send(ex, 200, "application/json", Json.write(json));
    }

    private static void error(HttpExchange ex, int code, String message) throws IOException {
        send(
                ex,
                code,
                "application/json",
                Json.write(MembershipAdmin.Reply.error(code, message).body()));
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
