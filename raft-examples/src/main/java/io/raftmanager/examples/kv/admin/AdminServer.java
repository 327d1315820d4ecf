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
    /** Runs the steps of node-wide membership changes (one at a time, see {@link #changing}). */
    private final ExecutorService changes;

    private final java.util.concurrent.atomic.AtomicBoolean changing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong lastAuthWarnNanos =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - AUTH_WARN_INTERVAL_NANOS);
    private static final long AUTH_WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private AdminServer(KvNode node, HttpServer server, ExecutorService executor) {
        this.node = node;
        this.server = server;
        this.executor = executor;
        this.membership = new MembershipAdmin(node);
        this.forwarder = new AdminForwarder(node);
        this.changes = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raft-kv-members-" + node.config().id());
            t.setDaemon(true);
            return t;
        });
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
        // Four: a node-wide membership change holds one while its groups' steps come in from other nodes.
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
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
                        if (sharded()) {
                            Map<String, Object> request = parse(body);
                            long id = MembershipAdmin.positiveId(request.get("id"));
                            everyGroup(
                                    ex,
                                    id,
                                    GroupChange.Target.ofRole(request.getOrDefault("role", "learner")),
                                    request);
                        } else {
                            write(ex, method, path, body, membership::addMember);
                        }
                    }
                } else if (path.startsWith("/members/")) {
                    if (requireMethod(ex, method, "DELETE")) {
                        long id = memberId(path.substring("/members/".length()));
                        if (sharded()) {
                            everyGroup(ex, id, GroupChange.Target.REMOVED, parse(body));
                        } else {
                            write(ex, method, path, body, request -> membership.removeMember(id));
                        }
                    }
                } else if (path.startsWith("/groups/")) {
                    oneGroup(ex, method, path, body);
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

    private boolean sharded() {
        return node.shards().size() > 1;
    }

    private static Map<String, Object> parse(String body) {
        return body.isBlank() ? Map.of() : Json.parseObject(body);
    }

    /**
     * {@code POST /members} or {@code DELETE /members/{id}} with several groups: changes every group, each on
     * its leader (here, or relayed to the node leading it), and answers every group's outcome. Runs on the
     * node it was sent to; one such change at a time per node.
     */
    private void everyGroup(HttpExchange ex, long id, GroupChange.Target target, Map<String, Object> request)
            throws IOException {
        InetSocketAddress address = addressOf(request, id);
        int parallelism = (int) bounded(
                request, "parallelism", ShardedMembership.DEFAULT_PARALLELISM, ShardedMembership.MAX_PARALLELISM);
        long timeout = bounded(
                request,
                "timeoutMillis",
                ShardedMembership.DEFAULT_TIMEOUT_MILLIS,
                ShardedMembership.MAX_TIMEOUT_MILLIS);
        boolean known = node.shards().stream().anyMatch(s -> s.membership().contains(id))
                || node.raftAddressOf(id).isPresent();
        if (target == GroupChange.Target.REMOVED && !known) {
            error(ex, 404, "node " + id + " is not a member of any group");
            return;
        }
        if (target != GroupChange.Target.REMOVED
                && address == null
                && node.shards().stream().anyMatch(s -> !s.membership().contains(id))) {
            throw new IllegalArgumentException("\"address\" (the new node's Raft host:port) is required");
        }
        long self = node.config().id();
        if (node.shards().stream().noneMatch(s -> s.membership().contains(self))) {
            error(ex, 409, "node " + self + " is a member of no group yet (--join): send the request to a member");
            return;
        }
        if (!changing.compareAndSet(false, true)) {
            error(ex, 503, "another membership change over every group is running on this node; retry when it ends");
            return;
        }
        try {
            LOG.info(
                    "node {}: making node {} {} in {} groups",
                    node.config().id(),
                    id,
                    target == GroupChange.Target.REMOVED ? "leave every group" : "a " + target.role(),
                    node.shards().size());
            ShardedMembership run = new ShardedMembership(
                    node.shards().size(), g -> groupStep(g, id, target, address), parallelism, timeout, 100, changes);
            List<ShardedMembership.Outcome> outcomes;
            try {
                outcomes = run.run().get(timeout + node.config().requestTimeoutMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ex, 503, "interrupted");
                return;
            } catch (ExecutionException | TimeoutException e) {
                error(ex, 504, "no outcome in time (" + e + "); GET /status shows each group's members");
                return;
            }
            MembershipAdmin.Reply reply = ShardedMembership.summarize(id, target, outcomes);
            String result = String.valueOf(reply.body().get("result"));
            node.metrics().groupsMembershipChanged(result);
            LOG.info("node {}: {} ({})", node.config().id(), reply.body().get("summary"), result);
            send(ex, reply.status(), "application/json", Json.write(reply.body()));
        } finally {
            changing.set(false);
        }
    }

    /** One group's step of a node-wide change: here if this node leads the group, else on its leader. */
    private java.util.concurrent.CompletableFuture<MembershipAdmin.Reply> groupStep(
            int g, long id, GroupChange.Target target, InetSocketAddress address) {
        io.raftmanager.examples.kv.Shard s = node.shards().get(g);
        long timeout = node.config().requestTimeoutMillis();
        if (s.isLeader()) {
            return GroupChange.apply(node, s, id, target, address, timeout);
        }
        String path = "/groups/" + g + "/members";
        String method = "POST";
        String body = "";
        if (target == GroupChange.Target.REMOVED) {
            path += "/" + id;
            method = "DELETE";
        } else {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", id);
            request.put("role", target.role());
            if (address != null) {
                request.put("address", KvNode.hostPort(address));
            }
            body = Json.write(request);
        }
        return forwarder
                .relay(s.leader(), "leader of group " + g, method, path, body)
                .thenApply(r -> {
                    Map<String, Object> parsed = Json.parseAny(r.body());
                    return parsed != null
                            ? new MembershipAdmin.Reply(r.status(), parsed)
                            : MembershipAdmin.Reply.error(r.status(), r.body());
                });
    }

    /**
     * {@code POST /groups/{g}/members} ({@code {"id": N, "role": ..., "address": ...}}) and {@code DELETE
     * /groups/{g}/members/{id}}: one group's change, idempotent ({@link GroupChange}), on that group's leader
     * (a follower relays it once).
     */
    private void oneGroup(HttpExchange ex, String method, String path, String body) throws IOException {
        String[] parts = path.substring("/groups/".length()).split("/", -1);
        if (parts.length < 2 || parts.length > 3 || !parts[1].equals("members")) {
            error(ex, 404, "no such endpoint: " + path);
            return;
        }
        int g = groupId(parts[0]);
        if (!requireMethod(ex, method, parts.length == 2 ? "POST" : "DELETE")) {
            return;
        }
        Map<String, Object> request = parse(body);
        long id;
        GroupChange.Target target;
        if (parts.length == 3) {
            id = memberId(parts[2]);
            target = GroupChange.Target.REMOVED;
        } else {
            id = MembershipAdmin.positiveId(request.get("id"));
            target = GroupChange.Target.ofRole(request.getOrDefault("role", "learner"));
        }
        InetSocketAddress address = addressOf(request, id);
        io.raftmanager.examples.kv.Shard s = node.shards().get(g);
        if (!s.isLeader()) {
            boolean forwarded = ex.getRequestHeaders().containsKey(AdminForwarder.HEADER);
            AdminForwarder.Relayed r =
                    forwarder.forward(s.leader(), "leader of group " + g, method, path, body, forwarded);
            send(ex, r.status(), "application/json", r.body());
            return;
        }
        long timeout = node.config().requestTimeoutMillis();
        MembershipAdmin.Reply reply;
        try {
            reply = GroupChange.apply(node, s, id, target, address, timeout)
                    .get(timeout + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply = MembershipAdmin.Reply.error(503, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            reply = MembershipAdmin.Reply.error(504, "no outcome in time: " + e);
        }
        send(ex, reply.status(), "application/json", Json.write(reply.body()));
    }

    /** The request's {@code address}, else the one known for {@code id} (--peers or a member record), else null. */
    private InetSocketAddress addressOf(Map<String, Object> request, long id) {
        Object address = request.get("address");
        if (address != null && !(address instanceof String)) {
            throw new IllegalArgumentException("\"address\" must be a host:port string, was " + address);
        }
        if (address != null) {
            return KvNode.parseHostPort((String) address);
        }
        return node.raftAddressOf(id).map(KvNode::parseHostPort).orElse(null);
    }

    /** An optional positive integer field, at most {@code max}. */
    private static long bounded(Map<String, Object> request, String field, long absent, long max) {
        Object v = request.get(field);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Long) || (Long) v < 1 || (Long) v > max) {
            throw new IllegalArgumentException("\"" + field + "\" must be an integer in [1, " + max + "], was " + v);
        }
        return (Long) v;
    }

    private int groupId(String text) {
        try {
            int g = Integer.parseInt(text);
            if (g >= 0 && g < node.shards().size()) {
                return g;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a group id (0 to " + (node.shards().size() - 1) + ")");
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
        summary.put("memberships", memberships());
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
                io.raftmanager.Membership conf = node.shards().get(i).membership();
                m.put("voters", List.copyOf(conf.voters()));
                m.put("learners", List.copyOf(conf.learners()));
                each.add(m);
            }
            summary.put("each", each);
        }
        json.put("groups", summary);
    }

    /**
     * The distinct configurations in effect here and how many groups have each, most common first: one entry
     * once a membership change has reached every group, several while one is under way or left partial.
     */
    private List<Object> memberships() {
        Map<io.raftmanager.Membership, Integer> counts = new LinkedHashMap<>();
        for (io.raftmanager.examples.kv.Shard s : node.shards()) {
            counts.merge(s.membership(), 1, Integer::sum);
        }
        List<Map.Entry<io.raftmanager.Membership, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        List<Object> out = new ArrayList<>();
        for (Map.Entry<io.raftmanager.Membership, Integer> e : sorted) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("voters", List.copyOf(e.getKey().voters()));
            m.put("learners", List.copyOf(e.getKey().learners()));
            if (e.getKey().joint()) {
                m.put("outgoingVoters", List.copyOf(e.getKey().outgoingVoters()));
            }
            m.put("groups", e.getValue());
            out.add(m);
        }
        return out;
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
        changes.shutdownNow();
    }
}
