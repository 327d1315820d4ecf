package io.raftmanager.examples.kv.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.NodeState;
import io.raftmanager.NodeStatus;
import io.raftmanager.RaftNode;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.metrics.micrometer.MicrometerNodeMetrics;
import io.raftmanager.node.NodeMetrics;
import io.raftmanager.transport.netty.NettyTransport;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The node's metrics in a Micrometer registry with the Prometheus text exposition: the JVM and process
 * (memory, GC, threads, class loading, CPU, file descriptors, uptime), client commands by name and outcome
 * (latency histograms with percentile buckets), connections, protocol errors, the library's Raft metrics
 * through {@link MicrometerNodeMetrics} (fsync and apply latency, replication lag per follower, elections,
 * snapshots), the node's term, role and indexes (read from {@link RaftNode#state()} at each scrape) and
 * the Netty transport's counters. docs/grafana-raft-kv.json is a dashboard for them. With several groups
 * the library's Raft metrics and gauges are group 0's, and the groups add an aggregate (counts, summed
 * indexes) and the {@value #TOP} busiest groups by log length under a {@code rank} tag, so the series do not
 * grow with the groups.
 */
public final class KvMetrics implements AutoCloseable {
    private static final Set<String> COMMANDS = Set.of(
            "PING",
            "ECHO",
            "GET",
            "SET",
            "DEL",
            "EXISTS",
            "INCR",
            "INCRBY",
            "DECR",
            "DECRBY",
            "MGET",
            "MSET",
            "DBSIZE",
            "INFO",
            "CAS",
            "READMODE",
            "CLIENT",
            "COMMAND",
            "CONFIG",
            "SELECT",
            "QUIT",
            "RAFTKV.FWD");

    private final KvNode node;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger clients = new AtomicInteger();
    private final Counter connections;
    private final Counter midRequestDisconnects;
    private final Counter protocolErrors;
    private final Counter tlsReloads;
    private final Counter tlsReloadFailures;
    private final Counter authFailures;
    private final Counter tokenReloads;
    private final Counter tokenReloadFailures;
    private final Counter respAuthFailures;
    private volatile io.raftmanager.examples.kv.GroupSummary groups;
    /** Group 0's status at the last scrape, for what state() does not carry (storage recovery). */
    private volatile NodeStatus status;

    static final int TOP = 5;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public KvMetrics(KvNode node) {
        this.node = node;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("raftkv.clients.connected", clients, AtomicInteger::get)
                .description("open client connections")
                .register(registry);
        connections = Counter.builder("raftkv.client.connections")
                .description("client connections accepted")
                .register(registry);
        midRequestDisconnects = Counter.builder("raftkv.client.disconnects.midrequest")
                .description("clients that disconnected with replies outstanding")
                .register(registry);
        protocolErrors = Counter.builder("raftkv.client.protocol.errors")
                .description("connections closed for malformed or oversized requests")
                .register(registry);
        raftGauge("raft.term", NodeState::term);
        raftGauge("raft.applied.index", NodeState::appliedIndex);
        raftGauge("raft.last.index", NodeState::lastIndex);
        raftGauge("raft.leader.id", s -> s.leader().orElse(0));
        raftGauge("raft.is.leader", s -> s.isLeader() ? 1 : 0);
        // 1 while the node recovers from empty or lost storage (no vote until it has caught up); from status(),
        // polled at each scrape: the lock-free state() view does not carry it.
        Gauge.builder("raft.recovering", this, m -> m.status == null ? Double.NaN : m.status.recovering() ? 1 : 0)
                .register(registry);
        transportCounter("raft.transport.messages.sent", NettyTransport.Stats::messagesSent);
        transportCounter("raft.transport.messages.received", NettyTransport.Stats::messagesReceived);
        FunctionCounter.builder("raftkv.log.syncs", node, n -> n.logSyncs().syncs())
                .description("fsyncs of the log engine's write-ahead log (shared by every group)")
                .register(registry);
        FunctionCounter.builder(
                        "raftkv.log.synced.writes", node, n -> n.logSyncs().syncedWrites())
                .description("synced log writes those fsyncs made durable: per fsync, the group commit")
                .register(registry);
        transportCounter("raft.transport.dropped.backpressure", NettyTransport.Stats::droppedBackpressure);
        transportCounter("raft.transport.dropped.unreachable", NettyTransport.Stats::droppedUnreachable);
        transportCounter("raft.transport.connect.failures", NettyTransport.Stats::connectFailures);
        transportCounter("raft.transport.tls.rejected", NettyTransport.Stats::tlsRejected);
        for (InvalidMessageException.Reason r : InvalidMessageException.Reason.values()) {
            FunctionCounter.builder(
                            "raft.transport.refused",
                            node,
                            n -> n.transport() == null
                                    ? 0
                                    : n.transport()
                                            .stats()
                                            .inboundRefusedByReason()
                                            .getOrDefault(r, 0L))
                    .description("peer connections refused, by reason (wrong_identity: a certificate for another node)")
                    .tags("reason", r.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        if (node.shards().size() > 1) {
            registerGroupMeters(node);
        }
        tlsReloads = Counter.builder("raftkv.tls.reloads")
                .description("certificate reloads that succeeded")
                .tags("outcome", "ok")
                .register(registry);
        tlsReloadFailures = Counter.builder("raftkv.tls.reloads")
                .description("certificate reloads that failed (the old certificates stay in use)")
                .tags("outcome", "failed")
                .register(registry);
        tokenReloads = Counter.builder("raftkv.admin.token.reloads")
                .description("admin token file re-reads that succeeded")
                .tags("outcome", "ok")
                .register(registry);
        tokenReloadFailures = Counter.builder("raftkv.admin.token.reloads")
                .description("admin token file re-reads that failed (the previous token stays in use)")
                .tags("outcome", "failed")
                .register(registry);
        authFailures = Counter.builder("raftkv.auth.failures")
                .description("requests refused for a missing or wrong token or password")
                .tags("endpoint", "admin")
                .register(registry);
        respAuthFailures = Counter.builder("raftkv.auth.failures")
                .description("requests refused for a missing or wrong token or password")
                .tags("endpoint", "resp")
                .register(registry);
    }

    private void registerGroupMeters(KvNode node) {
        groupGauge("raftkv.groups", "groups hosted", g -> g.states().size());
        groupGauge("raftkv.groups.led", "groups this node leads", g -> g.led());
        groupGauge("raftkv.groups.leaderless", "groups with no leader known here", g -> g.leaderless());
        groupGauge("raftkv.groups.quiesced", "groups quiesced here (idle: no ticks, no heartbeats)", g -> g.quiesced());
        groupGauge(
                "raftkv.groups.commit.index.sum",
                "commit indexes added over the groups",
                g -> g.sum(io.raftmanager.NodeState::commitIndex));
        groupGauge(
                "raftkv.groups.applied.index.sum",
                "applied indexes added over the groups",
                g -> g.sum(io.raftmanager.NodeState::appliedIndex));
        for (int rank = 1; rank <= TOP; rank++) {
            int r = rank;
            String tag = Integer.toString(r);
            groupGauge(
                    "raftkv.group.top.id", "the group at this rank by log length", g -> top(g, r, true), "rank", tag);
            groupGauge(
                    "raftkv.group.top.last.index", "that group's last log index", g -> top(g, r, false), "rank", tag);
        }
        FunctionCounter.builder("raftkv.leader.transfers", node, KvNode::leaderTransfers)
                .description("leadership transfers this node started to spread leaders over the nodes")
                .register(registry);
    }

    private static double top(io.raftmanager.examples.kv.GroupSummary g, int rank, boolean id) {
        List<Integer> busiest = g.busiest(rank);
        if (busiest.size() < rank) {
            return Double.NaN;
        }
        int group = busiest.get(rank - 1);
        return id ? group : g.states().get(group).lastIndex();
    }

    private void groupGauge(
            String name,
            String description,
            ToDoubleFunction<io.raftmanager.examples.kv.GroupSummary> f,
            String... tags) {
        Gauge.builder(name, this, m -> m.groups == null ? Double.NaN : f.applyAsDouble(m.groups))
                .description(description)
                .tags(tags)
                .register(registry);
    }

    /** The library's Raft metrics for group {@code groupId} of this node, in this registry. */
    public NodeMetrics raftMetrics(long groupId, long nodeId) {
        return MicrometerNodeMetrics.of(registry, groupId, nodeId);
    }

    /** One certificate reload attempt finished. */
    public void tlsReloaded(boolean ok) {
        (ok ? tlsReloads : tlsReloadFailures).increment();
    }

    /** The admin token file was re-read: {@code ok} false when it did not load (the old token stays). */
    public void adminTokenReloaded(boolean ok) {
        (ok ? tokenReloads : tokenReloadFailures).increment();
    }

    /** A RESP client gave a wrong password (AUTH or HELLO ... AUTH). */
    public void respAuthFailed() {
        respAuthFailures.increment();
    }

    /** An admin request came without the right bearer token. */
    public void adminAuthFailed() {
        authFailures.increment();
    }

    /**
     * A node-wide membership change with several groups ended here: {@code result} is done, partial or failed
     * (the tag's three values bound the series).
     */
    public void groupsMembershipChanged(String result) {
        Counter.builder("raftkv.membership.changes")
                .description("node-wide membership changes over every group, by result")
                .tag("result", result)
                .register(registry)
                .increment();
    }

    private void raftGauge(String name, ToDoubleFunction<NodeState> f) {
        // The node's published view: a volatile read, no call into the event loop at scrape time.
        Gauge.builder(
                        name,
                        node,
                        n -> n.raft() == null
                                ? Double.NaN
                                : f.applyAsDouble(n.raft().state()))
                .register(registry);
    }

    private void transportCounter(String name, ToDoubleFunction<NettyTransport.Stats> f) {
        FunctionCounter.builder(
                        name,
                        node,
                        n -> n.transport() == null
                                ? 0
                                : f.applyAsDouble(n.transport().stats()))
                .register(registry);
    }

    public void clientConnected() {
        clients.incrementAndGet();
        connections.increment();
    }

    public void clientDisconnected(boolean midRequest) {
        clients.decrementAndGet();
        if (midRequest) {
            midRequestDisconnects.increment();
        }
    }

    public int connectedClients() {
        return clients.get();
    }

    public void protocolError() {
        protocolErrors.increment();
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Records one command; an error reply counts as outcome "error". */
    public void recordCommand(String name, long nanos, RedisMessage reply) {
        recordCommand(name, nanos, reply == null || reply instanceof ErrorRedisMessage);
    }

    /** Records one served command whose reply was an error or not. */
    public void recordCommand(String name, long nanos, boolean error) {
        String upper = name.toUpperCase(Locale.ROOT);
        String command = COMMANDS.contains(upper) ? upper.toLowerCase(Locale.ROOT) : "other";
        String outcome = error ? "error" : "ok";
        // Cached: building and registering a meter per request cost more than recording into it.
        timers.computeIfAbsent(
                        command + ':' + outcome,
                        k -> Timer.builder("raftkv.command")
                                .description("client commands served by this node, by command and outcome")
                                .tags("command", command, "outcome", outcome)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        try {
            status = node.raft().status().get(1, TimeUnit.SECONDS);
            if (node.shards().size() > 1) {
                groups = io.raftmanager.examples.kv.GroupSummary.of(node);
            }
        } catch (Exception e) { // a closed or stuck node: report the last known values
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
