package io.raftmanager.sim;

import io.raftmanager.proto.RaftMessage;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A simulated network: every message gets a random delay (so messages reorder), may be dropped or
 * duplicated, and is lost if its link is cut when it would arrive. Links are directed, so one-way
 * partitions are possible.
 */
final class SimNetwork {
    record InFlight(long deliverAt, long seq, RaftMessage message) {}

    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.seq, b.seq));
    private final Set<Long> cutLinks = new HashSet<>();
    private final SplittableRandom rnd;
    private SimOptions options;
    private long seq;
    long sent;
    long dropped;
    long duplicated;

    SimNetwork(SplittableRandom rnd, SimOptions options) {
        this.rnd = rnd;
        this.options = options;
    }

    void setOptions(SimOptions options) {
        this.options = options;
    }

    void send(RaftMessage m, long now) {
        sent++;
        if (options.dropRate() > 0 && rnd.nextDouble() < options.dropRate()) {
            dropped++;
            return;
        }
        enqueue(m, now);
        if (options.duplicateRate() > 0 && rnd.nextDouble() < options.duplicateRate()) {
            duplicated++;
            enqueue(m, now);
        }
    }

    private void enqueue(RaftMessage m, long now) {
        long delay = 1 + (options.maxExtraDelay() == 0 ? 0 : rnd.nextInt(options.maxExtraDelay() + 1));
        queue.add(new InFlight(now + delay, seq++, m));
    }

    /** The next message due by {@code now} on a link that is not cut, or null. Messages on cut links are lost. */
    RaftMessage poll(long now) {
        while (!queue.isEmpty() && queue.peek().deliverAt() <= now) {
            RaftMessage m = queue.poll().message();
            if (isCut(m.getFrom(), m.getTo())) {
                dropped++;
                continue;
            }
            return m;
        }
        return null;
    }

    /** Re-queues a message for later (its recipient is paused). */
    void defer(RaftMessage m, long at) {
        queue.add(new InFlight(at, seq++, m));
    }

    boolean isCut(long from, long to) {
        return cutLinks.contains(link(from, to));
    }

    void cut(long from, long to) {
        cutLinks.add(link(from, to));
    }

    void cutBoth(long a, long b) {
        cut(a, b);
        cut(b, a);
    }

    void heal() {
        cutLinks.clear();
    }

    boolean hasCuts() {
        return !cutLinks.isEmpty();
    }

    private static long link(long from, long to) {
        return from * 1_000_003L + to;
    }
}
