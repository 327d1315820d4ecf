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

/**
 * Sends the heartbeats and heartbeat answers of every group a {@link RaftServer} hosts as one {@link
 * HeartbeatBatch} per destination server per window, instead of one message per group: the message count
 * between two servers then no longer grows with the number of groups. The cores stay as they are: they
 * emit and receive ordinary heartbeat messages, which are packed here on the way out and unpacked by the
 * receiving server's router on the way in.
 *
 * <p>The first heartbeat after a quiet window goes out at once; the others wait for the end of the window,
 * so a heartbeat (and a read confirmed by one) may be delayed by up to one window.
 */
final class HeartbeatCoalescer implements Worker {
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

    HeartbeatCoalescer(long nodeId, Transport transport, Scheduler clock, long windowNanos) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.clock = clock;
        this.windowNanos = windowNanos;
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
        boolean first = queued.getAndIncrement() == 0;
        pending.computeIfAbsent(m.getTo(), k -> new ConcurrentLinkedQueue<>()).add(m);
        WorkerHandle h = handle;
        if (first && h != null) {
            h.wake();
        }
    }

    @Override
    public int doWork() {
        if (queued.get() == 0 || clock.nanoTime() - nextFlush < 0) {
            return 0;
        }
        int sent = 0;
        for (Map.Entry<Long, ConcurrentLinkedQueue<RaftMessage>> e : pending.entrySet()) {
            List<RaftMessage> out = new ArrayList<>();
            for (RaftMessage m; (m = e.getValue().poll()) != null; ) {
                out.add(m);
            }
            if (!out.isEmpty()) {
                queued.addAndGet(-out.size());
                heartbeatsPacked.add(out.size());
                for (RaftMessage batch : pack(nodeId, e.getKey(), out)) {
                    transport.send(batch);
                    batchesSent.increment();
                    sent++;
                }
            }
        }
        nextFlush = clock.nanoTime() + windowNanos;
        return sent;
    }

    @Override
    public long idleNanos() {
        return queued.get() == 0 ? Long.MAX_VALUE : Math.max(1, nextFlush - clock.nanoTime());
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
                        .setContext(m.getHeartbeatRequest().getContext());
            } else {
                h.setResponse(true).setContext(m.getHeartbeatResponse().getContext());
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
                m.setHeartbeatResponse(HeartbeatResponse.newBuilder().setContext(h.getContext()));
            } else {
                m.setHeartbeatRequest(
                        HeartbeatRequest.newBuilder().setCommit(h.getCommit()).setContext(h.getContext()));
            }
            out.accept(m.build());
        }
    }
}
