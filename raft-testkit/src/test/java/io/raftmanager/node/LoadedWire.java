package io.raftmanager.node;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A network in virtual time whose servers take time to handle messages: each server handles one message
 * after another at a fixed cost (a heartbeat batch: one message plus a twentieth of one per heartbeat), so
 * a burst of messages queues up and later ones arrive late, as on a busy machine. Nothing is lost,
 * reordered within a link or duplicated: the point is the delay that many groups campaigning at once
 * cause. Deliveries are rounded up to a quantum, which keeps the number of distinct instants (and the
 * simulation's cost) low. A {@link Worker} of the simulation, like {@link SimWire}.
 */
final class LoadedWire implements Worker {
    private record InFlight(long at, long seq, RaftMessage message) {}

    /** Heartbeats in a batch that cost as much as one message. */
    static final int HEARTBEATS_PER_MESSAGE_COST = 20;

    private final Scheduler clock;
    private final long latencyNanos;
    private final long costNanos;
    private final long quantumNanos;
    private final PriorityQueue<InFlight> inFlight =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<Long, Port> ports = new HashMap<>();
    /** When each server is done with the messages queued for it so far. */
    private final Map<Long, Long> busyUntil = new HashMap<>();

    private long seq;
    long delivered;
    long maxQueueNanos;
    /** Recovery probes sent (answers not counted). */
    long probes;

    /**
     * @param latencyNanos time on the wire
     * @param costNanos a receiving server's time per message (per heartbeat in a batch)
     * @param quantumNanos deliveries happen at multiples of this
     */
    LoadedWire(Scheduler clock, long latencyNanos, long costNanos, long quantumNanos) {
        this.clock = clock;
        this.latencyNanos = latencyNanos;
        this.costNanos = costNanos;
        this.quantumNanos = quantumNanos;
    }

    /** Server {@code id}'s transport, new for each incarnation. */
    Transport open(long id) {
        Port p = new Port(id);
        ports.put(id, p);
        return p;
    }

    private void send(RaftMessage m) {
        long now = clock.nanoTime();
        // A batch is one message plus a little per heartbeat it carries (unpacking and stepping each).
        long cost = m.hasHeartbeatBatch()
                ? costNanos + costNanos * m.getHeartbeatBatch().getHeartbeatsCount() / HEARTBEATS_PER_MESSAGE_COST
                : costNanos;
        long arrival = now + latencyNanos;
        long start = Math.max(arrival, busyUntil.getOrDefault(m.getTo(), 0L));
        long done = start + cost;
        busyUntil.put(m.getTo(), done);
        maxQueueNanos = Math.max(maxQueueNanos, start - arrival);
        if (m.hasRecoveryProbe()) {
            probes++;
        }
        long at = (done + quantumNanos - 1) / quantumNanos * quantumNanos;
        inFlight.add(new InFlight(at, seq++, m));
    }

    @Override
    public int doWork() {
        int n = 0;
        long now = clock.nanoTime();
        InFlight f;
        while ((f = inFlight.peek()) != null && f.at - now <= 0) {
            inFlight.poll();
            Port to = ports.get(f.message.getTo());
            if (to != null && to.handler != null && !to.closed) {
                to.handler.onMessage(f.message);
                delivered++;
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
                LoadedWire.this.send(message);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
