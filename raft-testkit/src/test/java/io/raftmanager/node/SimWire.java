package io.raftmanager.node;

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
 * A faulty network in virtual time for runtimes under the {@link io.raftmanager.testkit.SimScheduler}: every
 * message gets a random delay (so messages reorder), some are dropped or duplicated, and links can be cut.
 * It is itself a {@link Worker} of the simulation: it delivers the messages that are due.
 */
final class SimWire implements Worker {
    private record InFlight(long at, long seq, RaftMessage message) {}

    private final Scheduler clock;
    private final SplittableRandom random;
    private final double dropRate;
    private final double duplicateRate;
    private final long minDelayNanos;
    private final long maxDelayNanos;
    private final PriorityQueue<InFlight> inFlight =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<Long, Port> ports = new HashMap<>();
    private final Set<Long> cut = new HashSet<>();
    private long seq;
    long sent;
    long dropped;
    long duplicated;

    SimWire(
            Scheduler clock,
            SplittableRandom random,
            double dropRate,
            double duplicateRate,
            long minDelayNanos,
            long maxDelayNanos) {
        this.clock = clock;
        this.random = random;
        this.dropRate = dropRate;
        this.duplicateRate = duplicateRate;
        this.minDelayNanos = minDelayNanos;
        this.maxDelayNanos = maxDelayNanos;
    }

    /** Server {@code id}'s transport, new for each incarnation (a restarted server rebinds). */
    Transport open(long id) {
        Port p = new Port(id);
        ports.put(id, p);
        return p;
    }

    void cut(long from, long to) {
        cut.add(from * 1_000_003L + to);
    }

    void isolate(long id, Iterable<Long> all) {
        for (long other : all) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    void heal() {
        cut.clear();
    }

    private boolean isCut(long from, long to) {
        return cut.contains(from * 1_000_003L + to);
    }

    private void send(RaftMessage m) {
        sent++;
        if (isCut(m.getFrom(), m.getTo()) || random.nextDouble() < dropRate) {
            dropped++;
            return;
        }
        enqueue(m);
        if (random.nextDouble() < duplicateRate) {
            duplicated++;
            enqueue(m);
        }
    }

    private void enqueue(RaftMessage m) {
        long delay = minDelayNanos + (long) (random.nextDouble() * (maxDelayNanos - minDelayNanos));
        inFlight.add(new InFlight(clock.nanoTime() + delay, seq++, m));
    }

    @Override
    public int doWork() {
        int n = 0;
        long now = clock.nanoTime();
        InFlight f;
        while ((f = inFlight.peek()) != null && f.at - now <= 0) {
            inFlight.poll();
            Port to = ports.get(f.message.getTo());
            // A link cut while the message travelled loses it too.
            if (to != null && to.handler != null && !to.closed && !isCut(f.message.getFrom(), f.message.getTo())) {
                to.handler.onMessage(f.message);
            }
            n++;
        }
        return n;
    }

    @Override
    public long idleNanos() {
        InFlight f = inFlight.peek();
        return f == null ? Long.MAX_VALUE : Math.max(1, f.at - clock.nanoTime());
    }

    private final class Port implements Transport {
        final long id;
        InboundHandler handler;
        boolean closed;

        Port(long id) {
            this.id = id;
        }

        @Override
        public void start(InboundHandler h) {
            handler = h;
        }

        @Override
        public void send(RaftMessage message) {
            if (!closed) {
                SimWire.this.send(message);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
