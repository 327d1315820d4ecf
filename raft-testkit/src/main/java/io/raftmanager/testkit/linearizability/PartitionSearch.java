package io.raftmanager.testkit.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
        int words = (ops.size() + 63) / 64;
        // The placed operations, split: definite ones (which every completion must place) and optional
        // ones (unknown outcome). Zobrist hashing: a set's hash is the XOR of one random word per member.
        long[] definite = new long[words];
        long[] optional = new long[words];
        long[] zobrist = new SplittableRandom(ops.size()).longs(ops.size()).toArray();
        int[] twin = earlierTwins();
        int[] before = sessionPredecessors();
        long setHash = 0;
        Map<CacheKey, List<long[]>> cache = new HashMap<>();
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
            int id = entry.id;
            boolean unknown = entry.op.outcome() == Operation.Outcome.UNKNOWN;
            if (entry.call) {
                // Of identical unknown operations, the earliest called is always placed first (swapping
                // two of them in an order changes nothing), which prunes their permutations.
                boolean allowed = (!unknown || twin[id] < 0 || isSet(optional, twin[id]))
                        && (before[id] < 0 || isSet(definite, before[id]));
                Optional<S> next = allowed ? model.step(state, entry.op.input(), entry.op.output()) : Optional.empty();
                // An operation of unknown outcome that changes nothing here is better left out: it need
                // not take effect at all, and placing it cannot enable anything.
                if (next.isPresent() && !(unknown && next.get().equals(state))) {
                    long candidateHash = unknown ? setHash : setHash ^ zobrist[id];
                    flip(unknown ? optional : definite, id);
                    if (firstVisit(cache, new CacheKey(definite, next.get(), candidateHash), optional)) {
                        stack.push(new Frame<>(entry, state));
                        state = next.get();
                        setHash = candidateHash;
                        definiteLeft -= unknown ? 0 : 1;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                    flip(unknown ? optional : definite, id);
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
                boolean undoneUnknown = undone.op.outcome() == Operation.Outcome.UNKNOWN;
                state = top.stateBefore();
                flip(undoneUnknown ? optional : definite, undone.id);
                setHash ^= undoneUnknown ? 0 : zobrist[undone.id];
                definiteLeft += undoneUnknown ? 0 : 1;
                unlift(undone);
                entry = undone.next;
            }
        }
        return Outcome.LINEARIZABLE;
    }

    /**
     * Lowe's memoisation, strengthened for optional operations: a node (definite set, state, optional
     * set) is dominated by an explored node with the same definite set and state and fewer optional
     * operations placed, since any completion of the former also completes the latter (unplaced optional
     * operations may stay unplaced, and never constrain others: they never return). Returns whether the
     * node is new; if so, records it.
     */
    private static boolean firstVisit(Map<CacheKey, List<long[]>> cache, CacheKey key, long[] optional) {
        List<long[]> seen = cache.get(key);
        if (seen == null) {
            seen = new ArrayList<>(1);
            cache.put(new CacheKey(key.words().clone(), key.state(), key.setHash()), seen);
        } else {
            for (long[] placed : seen) {
                if (isSubset(placed, optional)) {
                    return false;
                }
            }
            seen.removeIf(placed -> isSubset(optional, placed));
        }
        seen.add(optional.clone());
        return true;
    }

    private static boolean isSubset(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSet(long[] bits, int id) {
        return (bits[id >>> 6] & (1L << id)) != 0;
    }

    private static void flip(long[] bits, int id) {
        bits[id >>> 6] ^= 1L << id;
    }

    /** Operation positions by call time, ties by position. */
    private Integer[] callOrder() {
        Integer[] order = new Integer[ops.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                Comparator.<Integer>comparingLong(i -> ops.get(i).callNanos()).thenComparingInt(i -> i));
        return order;
    }

    /** For each unknown operation, the previous unknown one with an equal input in call order, or -1. */
    private int[] earlierTwins() {
        int[] twin = new int[ops.size()];
        Arrays.fill(twin, -1);
        Integer[] order = callOrder();
        Map<Object, Integer> last = new HashMap<>();
        for (int i : order) {
            Operation<I, O> op = ops.get(i);
            if (op.outcome() == Operation.Outcome.UNKNOWN) {
                Integer prev = last.put(op.input(), i);
                twin[i] = prev == null ? -1 : prev;
            }
        }
        return twin;
    }

    /**
     * For each operation in a session, the session's previous OK operation (by call time, then position),
     * which must be placed first; -1 otherwise.
     */
    private int[] sessionPredecessors() {
        int[] before = new int[ops.size()];
        Arrays.fill(before, -1);
        Integer[] order = callOrder();
        Map<Long, Integer> lastOk = new HashMap<>();
        for (int i : order) {
            Operation<I, O> op = ops.get(i);
            if (op.session() == 0) {
                continue;
            }
            Integer prev = lastOk.get(op.session());
            before[i] = prev == null ? -1 : prev;
            if (op.outcome() == Operation.Outcome.OK) {
                lastOk.put(op.session(), i);
            }
        }
        return before;
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
