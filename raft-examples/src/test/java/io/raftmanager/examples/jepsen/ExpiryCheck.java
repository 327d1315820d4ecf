package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expiring keys ({@code SET key value PX ttl}, each key written once) judged against the clock. The
 * entry's timestamp is taken by the leader before the write is acknowledged, and a read judges expiry at
 * no earlier than the wall clock when it is served, so on one machine's clock (every node of the test
 * cluster runs here):
 *
 * <ul>
 *   <li>a read invoked more than {@code ttl} after the write completed must find the key absent;
 *   <li>a linearizable read invoked after the write completed and completed less than {@code ttl} after
 *       the write was invoked must find the value;
 *   <li>a write reported as definitely failed is never read; a read never returns another value.
 * </ul>
 *
 * A margin of {@link #MARGIN_NANOS} absorbs the millisecond rounding of timestamps.
 */
final class ExpiryCheck {
    static final long MARGIN_NANOS = 20_000_000L;

    private ExpiryCheck() {}

    static Check check(List<Op> history, Set<Integer> linearizableProcesses) {
        Map<String, Op> writes = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == Kind.SET && op.key().startsWith(Workload.EXPIRING)) {
                writes.put(op.key(), op);
            }
        }
        List<String> problems = new ArrayList<>();
        int absent = 0;
        int present = 0;
        int reads = 0;
        for (Op read : history) {
            if (read.kind() != Kind.GET || !read.key().startsWith(Workload.EXPIRING) || read.outcome() != Outcome.OK) {
                continue;
            }
            reads++;
            Op w = writes.get(read.key());
            long ttl = Workload.ttlMillis(read.key()) * 1_000_000L;
            if (read.result() == null) {
                absent++;
            } else {
                present++;
            }
            if (w == null || w.outcome() == Outcome.FAIL) {
                if (read.result() != null) {
                    problems.add("read a value that was never written (or whose write failed): " + read);
                }
                continue;
            }
            if (read.result() != null && !read.result().equals(w.value())) {
                problems.add("read another value than the only write's: " + read + " after " + w);
            }
            if (w.outcome() != Outcome.OK) {
                continue; // an unacknowledged write has no known timestamp bound
            }
            if (read.result() != null && read.invokeNanos() > w.completeNanos() + ttl + MARGIN_NANOS) {
                problems.add("read an expired key: " + read + " after " + w);
            }
            if (read.result() == null
                    && linearizableProcesses.contains(read.process())
                    && read.invokeNanos() > w.completeNanos()
                    && read.completeNanos() < w.invokeNanos() + ttl - MARGIN_NANOS) {
                problems.add("missed a key before it expired: " + read + " after " + w);
            }
        }
        String detail = problems.isEmpty()
                ? writes.size() + " expiring keys, " + reads + " reads (" + present + " found, " + absent + " absent)"
                : problems.size() + " problems, first: " + problems.get(0);
        return new Check("expired keys read as absent", problems.isEmpty(), detail);
    }
}
