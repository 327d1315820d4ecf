package io.raftmanager.testing.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The Wing & Gong search with Lowe's memoisation over one partition: walk the time-ordered list of call
 * and return events, linearize a call whenever the model allows it, and backtrack when a return is reached
 * whose call could not be placed. A (linearized set, state) pair seen before is never explored twice.
 */
final class PartitionSearch<S, I, O> {

    /** How a partition ended. */
    enum Outcome {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        TIMED_OUT
    }

    private static final int MAX_SHOWN = 12;
    private static final int DEADLINE_CHECK_MASK = 0xFFF;

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final long deadlineNanos;

    /** Filled in when the outcome is NOT_LINEARIZABLE. */
    private String explanation = "";

    private int bestDepth = -1;

    PartitionSearch(Model<S, I, O> model, List<Operation<I, O>> ops, long deadlineNanos) {
        this.model = model;
        this.ops = ops;
        this.deadlineNanos = deadlineNanos;
    }

    String explanation() {
        return explanation;
    }

    /** One call or return event in the doubly linked list the search lifts entries out of. */
    private static final class Entry<I, O> {
        final Operation<I, O> op;
        final int id;
        final boolean call;
        final long time;
        Entry<I, O> match;
        Entry<I, O> prev;
        Entry<I, O> next;

        Entry(Operation<I, O> op, int id, boolean call, long time) {
            this.op = op;
            this.id = id;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame<S, I, O>(Entry<I, O> entry, S stateBefore) {}

    /** A (linearized set, state) pair, the memoisation key. */
    private record CacheKey(long[] words, Object state, long setHash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k
                    && setHash == k.setHash
                    && Arrays.equals(words, k.words)
                    && Objects.equals(state, k.state);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(setHash) * 31 + Objects.hashCode(state);
        }
    }

    Outcome run() {
        Entry<I, O> head = buildList();
        // Zobrist hashing: the linearized set's hash is the XOR of one random word per member.
        long[] zobrist = new SplittableRandom(ops.size()).longs(ops.size()).toArray();
        long[] linearized = new long[(ops.size() + 63) / 64];
        long setHash = 0;
        Set<CacheKey> cache = new HashSet<>();
        Deque<Frame<S, I, O>> stack = new ArrayDeque<>();
        S state = model.init();
        int definiteLeft = 0;
        for (Operation<I, O> op : ops) {
            definiteLeft += op.outcome() == Operation.Outcome.UNKNOWN ? 0 : 1;
        }
        Entry<I, O> entry = head.next;
        long iterations = 0;
        while (definiteLeft > 0) {
            if ((++iterations & DEADLINE_CHECK_MASK) == 0 && System.nanoTime() - deadlineNanos > 0) {
                return Outcome.TIMED_OUT;
            }
            boolean unknown = entry.op.outcome() == Operation.Outcome.UNKNOWN;
            if (entry.call) {
                Optional<S> next = model.step(state, entry.op.input(), entry.op.output());
                // An operation of unknown outcome that changes nothing here is better left out: it need
                // not take effect at all, and placing it cannot enable anything.
                if (next.isPresent() && !(unknown && next.get().equals(state))) {
                    int id = entry.id;
                    linearized[id >>> 6] ^= 1L << id;
                    long candidateHash = setHash ^ zobrist[id];
                    if (!cache.contains(new CacheKey(linearized, next.get(), candidateHash))) {
                        cache.add(new CacheKey(linearized.clone(), next.get(), candidateHash));
                        stack.push(new Frame<>(entry, state));
                        state = next.get();
                        setHash = candidateHash;
                        definiteLeft -= unknown ? 0 : 1;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                    linearized[id >>> 6] ^= 1L << id;
                }
                entry = entry.next;
            } else if (unknown) {
                // Never reached while a definite operation is pending (those return earlier); harmless.
                entry = entry.next;
            } else {
                // The call of this return was not linearized and cannot be delayed past it: dead end.
                noteDeadEnd(head, entry, stack);
                if (stack.isEmpty()) {
                    return Outcome.NOT_LINEARIZABLE;
                }
                Frame<S, I, O> top = stack.pop();
                Entry<I, O> undone = top.entry();
                state = top.stateBefore();
                linearized[undone.id >>> 6] ^= 1L << undone.id;
                setHash ^= zobrist[undone.id];
                definiteLeft += undone.op.outcome() == Operation.Outcome.UNKNOWN ? 0 : 1;
                unlift(undone);
                entry = undone.next;
            }
        }
        return Outcome.LINEARIZABLE;
    }

    private Entry<I, O> buildList() {
        List<Entry<I, O>> events = new ArrayList<>(ops.size() * 2);
        for (int i = 0; i < ops.size(); i++) {
            Operation<I, O> op = ops.get(i);
            Entry<I, O> call = new Entry<>(op, i, true, op.callNanos());
            Entry<I, O> ret = new Entry<>(op, i, false, op.returnNanos());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // Closed intervals: at equal times calls come first, so touching operations are concurrent.
        events.sort(Comparator.<Entry<I, O>>comparingLong(e -> e.time)
                .thenComparing(e -> !e.call)
                .thenComparingInt(e -> e.id));
        Entry<I, O> head = new Entry<>(null, -1, false, Long.MIN_VALUE);
        Entry<I, O> last = head;
        for (Entry<I, O> e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    private static <I, O> void lift(Entry<I, O> call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Entry<I, O> ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static <I, O> void unlift(Entry<I, O> call) {
        Entry<I, O> ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }

    /** Remembers the deepest dead end: the best explanation of a violation. */
    private void noteDeadEnd(Entry<I, O> head, Entry<I, O> blocked, Deque<Frame<S, I, O>> stack) {
        if (stack.size() <= bestDepth) {
            return;
        }
        bestDepth = stack.size();
        List<Operation<I, O>> order = new ArrayList<>(stack.size());
        stack.descendingIterator().forEachRemaining(f -> order.add(f.entry().op));
        List<Operation<I, O>> pending = new ArrayList<>();
        for (Entry<I, O> e = head.next; e != null && e != blocked; e = e.next) {
            if (e.call) {
                pending.add(e.op);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("partition of ").append(ops.size()).append(" operations; the longest legal order found places ");
        sb.append(order.size()).append(" of them");
        int from = Math.max(0, order.size() - MAX_SHOWN);
        sb.append(from > 0 ? " (last " + MAX_SHOWN + " shown):" : ":");
        for (Operation<I, O> op : order.subList(from, order.size())) {
            sb.append("\n    ").append(op);
        }
        sb.append("\n  after which this operation must take effect before it returns, but cannot:\n    ");
        sb.append(blocked.op);
        sb.append("\n  (no legal order of it and the ").append(pending.size());
        sb.append(" operations called before its return that are not yet placed)");
        for (Operation<I, O> op : pending.subList(0, Math.min(MAX_SHOWN, pending.size()))) {
            sb.append("\n    ").append(op);
        }
        explanation = sb.toString();
    }
}
