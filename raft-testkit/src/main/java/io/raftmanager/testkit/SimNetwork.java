package io.raftmanager.testkit;

import io.raftmanager.node.Worker;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The simulated network of a {@link SimCluster}: every message is delayed by a seeded random amount, may
 * be dropped, and is lost on a cut link. Deliveries run as a worker of the {@link SimScheduler}, so they
 * interleave with the nodes' work deterministically.
 */
final class SimNetwork implements Worker {
    private record InFlight(long deliverAt, long seq, RaftMessage message) {}

    private final SimScheduler scheduler;
    private final SplittableRandom random;
    private final long minDelayNanos;
    private final long maxDelayNanos;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.seq, b.seq));
    private final Map<Long, InboundHandler> handlers = new HashMap<>();
    private final Set<Long> cutLinks = new HashSet<>();
    private double lossRate;
    private long seq;

    SimNetwork(SimScheduler scheduler, SplittableRandom random, long minDelayNanos, long maxDelayNanos) {
        this.scheduler = scheduler;
        this.random = random;
        this.minDelayNanos = minDelayNanos;
        this.maxDelayNanos = maxDelayNanos;
    }

    /** A new transport for server {@code id}; it receives nothing until started, and nothing after close. */
    Transport transport(long id) {
        return new Transport() {
            private boolean closed;

            @Override
            public void start(InboundHandler handler) {
                handlers.put(id, handler);
            }

            @Override
            public void send(RaftMessage message) {
                if (!closed) {
                    enqueue(message);
                }
            }

            @Override
            public void close() {
                closed = true;
                handlers.remove(id);
            }
        };
    }

    void lossRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("loss rate must be in [0, 1]: " + rate);
        }
        lossRate = rate;
    }

    void cut(long from, long to) {
        cutLinks.add(link(from, to));
    }

    void heal() {
        cutLinks.clear();
    }

    private void enqueue(RaftMessage m) {
        if (cutLinks.contains(link(m.getFrom(), m.getTo())) || (lossRate > 0 && random.nextDouble() < lossRate)) {
            return;
        }
        long delay = minDelayNanos
                + (maxDelayNanos > minDelayNanos ? random.nextLong(maxDelayNanos - minDelayNanos + 1) : 0);
        queue.add(new InFlight(scheduler.nanoTime() + delay, seq++, m));
    }

    @Override
    public int doWork() {
        int delivered = 0;
        long now = scheduler.nanoTime();
        while (!queue.isEmpty() && queue.peek().deliverAt <= now) {
            RaftMessage m = queue.poll().message;
            // A link cut while the message was in flight loses it too.
            InboundHandler h = cutLinks.contains(link(m.getFrom(), m.getTo())) ? null : handlers.get(m.getTo());
            if (h != null) {
                h.onMessage(m);
            }
            delivered++;
        }
        return delivered;
    }

    @Override
    public long idleNanos() {
        return queue.isEmpty() ? Long.MAX_VALUE : Math.max(0, queue.peek().deliverAt - scheduler.nanoTime());
    }

    private static long link(long from, long to) {
        return (from << 32) ^ to;
    }
}
