package io.raftmanager;

import io.raftmanager.node.Scheduler;
import io.raftmanager.node.Worker;
import io.raftmanager.node.WorkerHandle;
import io.raftmanager.proto.CoalescedHeartbeat;
import io.raftmanager.proto.HeartbeatBatch;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.Transport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the heartbeats and heartbeat answers of every group a {@link RaftServer} hosts as one {@link
 * HeartbeatBatch} per destination server per window, instead of one message per group: the message count
 * between two servers then no longer grows with the number of groups. The cores stay as they are: they
 * emit and receive ordinary heartbeat messages, which are packed here on the way out and unpacked by the
 * receiving server's router on the way in.
 *
 * <p>The first heartbeat after a quiet window goes out at once; the others wait for the end of the window,
 * so a heartbeat (and a read confirmed by one) may be delayed by up to one window.
 *
 * <p>With node liveness on (for quiesced groups, which send no heartbeats of their own), it also sends an
 * empty batch to every server it knows in each window where nothing else went there, and reports a server
 * it has not heard from (any message) for the liveness timeout: groups quiesced under a leader there then
 * wake and elect. One keep-alive per server pair per window, whatever the number of groups.
 */
final class HeartbeatCoalescer implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatCoalescer.class);

    /** Entries per batch message, so a batch stays far below any transport's frame limit. */
    static final int MAX_ENTRIES = 8192;

    private final long nodeId;
    private final Transport transport;
    private final Scheduler clock;
    private final long windowNanos;
    private final ConcurrentHashMap<Long, ConcurrentLinkedQueue<RaftMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder batchesSent = new LongAdder();
    private final LongAdder heartbeatsPacked = new LongAdder();
    private volatile WorkerHandle handle;
    private long nextFlush; // the worker's own (its runs never overlap)
    /** 0 without node liveness; otherwise how long a server may stay silent before it is suspected. */
    private final long livenessTimeoutNanos;

    private final LongConsumer onSuspected;
    private final ConcurrentHashMap<Long, Peer> peers = new ConcurrentHashMap<>();
    private final LongAdder keepAlivesSent = new LongAdder();
    private final LongAdder suspicions = new LongAdder();

    /** What this server knows of another: when it last heard it, and how to address a keep-alive to it. */
    private static final class Peer {
        volatile long lastHeardNanos;
        volatile RaftMessage keepAlive;
        volatile boolean suspected; // written by the worker only
        boolean sentThisWindow; // the worker's own

        Peer(long now) {
            lastHeardNanos = now;
        }
    }

    HeartbeatCoalescer(long nodeId, Transport transport, Scheduler clock, long windowNanos) {
        this(nodeId, transport, clock, windowNanos, 0, peer -> {});
    }

    /**
     * @param livenessTimeoutNanos 0 for no keep-alives and no liveness; otherwise the silence after which
     *     a server is suspected dead and reported to {@code onSuspected} (once per silence, on this worker)
     */
    HeartbeatCoalescer(
            long nodeId,
            Transport transport,
            Scheduler clock,
            long windowNanos,
            long livenessTimeoutNanos,
            LongConsumer onSuspected) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.clock = clock;
        this.windowNanos = windowNanos;
        this.livenessTimeoutNanos = livenessTimeoutNanos;
        this.onSuspected = onSuspected;
    }

    /** A message from server {@code m.getFrom()} arrived (any kind, any group). */
    void heard(RaftMessage m) {
        if (livenessTimeoutNanos == 0) {
            return;
        }
        Peer p = peer(m.getFrom(), m);
        p.lastHeardNanos = clock.nanoTime();
    }

    private Peer peer(long id, RaftMessage addressing) {
        Peer p = peers.get(id);
        if (p == null) {
            p = peers.computeIfAbsent(id, k -> new Peer(clock.nanoTime()));
        }
        if (p.keepAlive == null) {
            p.keepAlive = RaftMessage.newBuilder()
                    .setFormatVersion(addressing.getFormatVersion())
                    .setClusterId(addressing.getClusterId())
                    .setFrom(nodeId)
                    .setTo(id)
                    .setHeartbeatBatch(HeartbeatBatch.getDefaultInstance())
                    .build();
        }
        return p;
    }

    /** Whether server {@code id} is suspected dead now (never heard of: not suspected). */
    boolean isSuspected(long id) {
        Peer p = peers.get(id);
        return p != null && p.suspected;
    }

    /** The servers suspected dead now (not heard from within the liveness timeout). */
    java.util.Set<Long> suspected() {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        peers.forEach((id, p) -> {
            if (p.suspected) {
                out.add(id);
            }
        });
        return out;
    }

    long keepAlivesSent() {
        return keepAlivesSent.sum();
    }

    long suspicions() {
        return suspicions.sum();
    }

    void bind(WorkerHandle h) {
        handle = h;
        nextFlush = clock.nanoTime();
    }

    static boolean coalescable(RaftMessage m) {
        return m.getBodyCase() == RaftMessage.BodyCase.HEARTBEAT_REQUEST
                || m.getBodyCase() == RaftMessage.BodyCase.HEARTBEAT_RESPONSE;
    }

    /** Queues a heartbeat or heartbeat answer for the next batch to its destination. */
    void add(RaftMessage m) {
        if (livenessTimeoutNanos != 0 && !peers.containsKey(m.getTo())) {
            peer(m.getTo(), m);
        }
        boolean first = queued.getAndIncrement() == 0;
        pending.computeIfAbsent(m.getTo(), k -> new ConcurrentLinkedQueue<>()).add(m);
        WorkerHandle h = handle;
        if (first && h != null) {
            h.wake();
        }
    }

    @Override
    public int doWork() {
        if (clock.nanoTime() - nextFlush < 0 || (queued.get() == 0 && livenessTimeoutNanos == 0)) {
            return 0;
        }
        int sent = flush();
        if (livenessTimeoutNanos != 0) {
            sent += keepAlivesAndLiveness();
        }
        nextFlush = clock.nanoTime() + windowNanos;
        return sent;
    }

    private int keepAlivesAndLiveness() {
        int sent = 0;
        long now = clock.nanoTime();
        for (Map.Entry<Long, Peer> e : peers.entrySet()) {
            Peer p = e.getValue();
            if (!p.sentThisWindow) {
                transport.send(p.keepAlive);
                keepAlivesSent.increment();
                sent++;
            }
            p.sentThisWindow = false;
            boolean silent = now - p.lastHeardNanos > livenessTimeoutNanos;
            if (silent && !p.suspected) {
                p.suspected = true;
                suspicions.increment();
                LOG.info(
                        "server {} has not heard from server {} for {} ms: waking the quiesced groups it leads",
                        nodeId,
                        e.getKey(),
                        (now - p.lastHeardNanos) / 1_000_000);
                onSuspected.accept(e.getKey());
            } else if (!silent && p.suspected) {
                p.suspected = false;
                LOG.info("server {} hears from server {} again", nodeId, e.getKey());
            }
        }
        return sent;
    }

    private int flush() {
        int sent = 0;
        for (Map.Entry<Long, ConcurrentLinkedQueue<RaftMessage>> e : pending.entrySet()) {
            List<RaftMessage> out = new ArrayList<>();
            for (RaftMessage m; (m = e.getValue().poll()) != null; ) {
                out.add(m);
            }
            if (!out.isEmpty()) {
                Peer p = peers.get(e.getKey());
                if (p != null) {
                    p.sentThisWindow = true;
                }
                queued.addAndGet(-out.size());
                heartbeatsPacked.add(out.size());
                for (RaftMessage batch : pack(nodeId, e.getKey(), out)) {
                    transport.send(batch);
                    batchesSent.increment();
                    sent++;
                }
            }
        }
        return sent;
    }

    @Override
    public long idleNanos() {
        return queued.get() == 0 && livenessTimeoutNanos == 0
                ? Long.MAX_VALUE
                : Math.max(1, nextFlush - clock.nanoTime());
    }

    long batchesSent() {
        return batchesSent.sum();
    }

    long heartbeatsPacked() {
        return heartbeatsPacked.sum();
    }

    /** Packs heartbeats from {@code from} to {@code to} into as few batch messages as the entry limit allows. */
    static List<RaftMessage> pack(long from, long to, List<RaftMessage> heartbeats) {
        Map<String, List<HeartbeatBatch.Builder>> byCluster = new LinkedHashMap<>();
        Map<String, RaftMessage> firstOf = new LinkedHashMap<>();
        for (RaftMessage m : heartbeats) {
            List<HeartbeatBatch.Builder> batches = byCluster.computeIfAbsent(m.getClusterId(), k -> new ArrayList<>());
            firstOf.putIfAbsent(m.getClusterId(), m);
            if (batches.isEmpty() || batches.get(batches.size() - 1).getHeartbeatsCount() >= MAX_ENTRIES) {
                batches.add(HeartbeatBatch.newBuilder());
            }
            CoalescedHeartbeat.Builder h =
                    CoalescedHeartbeat.newBuilder().setGroupId(m.getGroupId()).setTerm(m.getTerm());
            if (m.getBodyCase() == RaftMessage.BodyCase.HEARTBEAT_REQUEST) {
                h.setCommit(m.getHeartbeatRequest().getCommit())
                        .setContext(m.getHeartbeatRequest().getContext())
                        .setQuiesce(m.getHeartbeatRequest().getQuiesce());
            } else {
                h.setResponse(true)
                        .setContext(m.getHeartbeatResponse().getContext())
                        .setQuiesce(m.getHeartbeatResponse().getQuiesced());
            }
            batches.get(batches.size() - 1).addHeartbeats(h);
        }
        List<RaftMessage> out = new ArrayList<>();
        byCluster.forEach((cluster, batches) -> {
            RaftMessage first = firstOf.get(cluster);
            for (HeartbeatBatch.Builder b : batches) {
                out.add(RaftMessage.newBuilder()
                        .setFormatVersion(first.getFormatVersion())
                        .setClusterId(cluster)
                        .setFrom(from)
                        .setTo(to)
                        .setHeartbeatBatch(b)
                        .build());
            }
        });
        return out;
    }

    /** Hands each heartbeat of {@code batch} to {@code out} as the message it stands for. */
    static void unpack(RaftMessage batch, Consumer<RaftMessage> out) {
        for (CoalescedHeartbeat h : batch.getHeartbeatBatch().getHeartbeatsList()) {
            RaftMessage.Builder m = RaftMessage.newBuilder()
                    .setFormatVersion(batch.getFormatVersion())
                    .setClusterId(batch.getClusterId())
                    .setGroupId(h.getGroupId())
                    .setFrom(batch.getFrom())
                    .setTo(batch.getTo())
                    .setTerm(h.getTerm());
            if (h.getResponse()) {
                m.setHeartbeatResponse(HeartbeatResponse.newBuilder()
                        .setContext(h.getContext())
                        .setQuiesced(h.getQuiesce()));
            } else {
                m.setHeartbeatRequest(HeartbeatRequest.newBuilder()
                        .setCommit(h.getCommit())
                        .setContext(h.getContext())
                        .setQuiesce(h.getQuiesce()));
            }
            out.accept(m.build());
        }
    }
}
