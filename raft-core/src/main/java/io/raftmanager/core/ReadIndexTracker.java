package io.raftmanager.core;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's bookkeeping for ReadIndex (thesis §6.4) and leases (§6.4.1). Every heartbeat broadcast is
 * a numbered round; a follower's response echoes the round. When a quorum has answered round n, the
 * leader was still leader when round n was sent, so every read that arrived before round n was sent can
 * be served at the commit index it recorded. Reads arriving together share one round (batching), and
 * the send time of the latest round a quorum answered starts the lease.
 *
 * <p>Invariant: rounds are ascending; a read is attached to the first round sent after it arrived.
 */
final class ReadIndexTracker {
    /** A read waiting for confirmation; {@code from} is 0 for a local read, else the follower that asked. */
    record Request(ByteString context, long index, long from) {}

    private record Round(long seq, long sentAtTick, long sentAtNanos, List<Request> reads) {}

    private final ArrayDeque<Round> rounds = new ArrayDeque<>();
    private final Map<Long, Long> ackedSeq = new HashMap<>();
    private List<Request> unsent = new ArrayList<>();
    private long seq;
    private long leaseStartTick = Long.MIN_VALUE;
    private long leaseStartNanos;

    /** Forgets everything: called when leadership is gained or lost. */
    void reset() {
        rounds.clear();
        ackedSeq.clear();
        unsent = new ArrayList<>();
        leaseStartTick = Long.MIN_VALUE;
    }

    void add(Request r) {
        unsent.add(r);
    }

    /** No read waits for a round or for a round's answers. */
    boolean idle() {
        if (!unsent.isEmpty()) {
            return false;
        }
        for (Round r : rounds) {
            if (!r.reads().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    boolean hasUnsent() {
        return !unsent.isEmpty();
    }

    /**
     * Starts a round at {@code tick}, with the clock at {@code clockNanos} (a reading taken no later than
     * the send, so the lease it starts is never longer than it should be); returns its context for the
     * heartbeats.
     */
    ByteString startRound(long tick, long clockNanos) {
        seq++;
        rounds.add(new Round(seq, tick, clockNanos, unsent));
        unsent = new ArrayList<>();
        return encode(seq);
    }

    /** Records that {@code peer} answered the round in {@code context}. */
    void ack(long peer, ByteString context) {
        long s = decode(context);
        if (s > 0) {
            ackedSeq.merge(peer, s, Math::max);
        }
    }

    long ackedSeq(long peer) {
        return ackedSeq.getOrDefault(peer, 0L);
    }

    long latestSeq() {
        return seq;
    }

    /**
     * The rounds up to {@code quorumSeq} are confirmed by a quorum: returns their reads, in arrival order,
     * and extends the lease to the send time of the newest of them.
     */
    List<Request> confirm(long quorumSeq) {
        List<Request> ready = new ArrayList<>();
        while (!rounds.isEmpty() && rounds.peek().seq() <= quorumSeq) {
            Round r = rounds.poll();
            ready.addAll(r.reads());
            leaseStartTick = Math.max(leaseStartTick, r.sentAtTick());
            leaseStartNanos = r.sentAtNanos(); // rounds are confirmed in the order they were sent
        }
        return ready;
    }

    /** The tick at which the newest quorum-confirmed round was sent, or {@link Long#MIN_VALUE}. */
    long leaseStartTick() {
        return leaseStartTick;
    }

    /** Whether a quorum confirmed any round since leadership began. */
    boolean hasLease() {
        return leaseStartTick != Long.MIN_VALUE;
    }

    /** The clock reading when the newest quorum-confirmed round was sent; valid only if {@link #hasLease}. */
    long leaseStartNanos() {
        return leaseStartNanos;
    }

    /** Every read not yet served, for failing them when leadership is lost. */
    List<Request> drain() {
        List<Request> all = new ArrayList<>();
        rounds.forEach(r -> all.addAll(r.reads()));
        all.addAll(unsent);
        reset();
        return all;
    }

    static ByteString encode(long seq) {
        return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
    }

    /** The round in a heartbeat context, or 0 if the context is not one of ours. */
    static long decode(ByteString context) {
        if (context.size() != Long.BYTES) {
            return 0;
        }
        return context.asReadOnlyByteBuffer().getLong();
    }
}
