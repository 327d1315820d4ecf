package io.raftmanager.testkit.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks a recorded client history for linearizability against a {@link Model}: is there a total order of
 * the operations that respects real time (an operation that returned before another was called comes
 * first) and in which every output is the one the model gives?
 *
 * <p>The search is Wing &amp; Gong's with Lowe's memoisation, run on each partition of
 * {@link Model#partition} in turn (P-compositionality). {@link Operation.Outcome#FAILED} operations are
 * dropped; {@link Operation.Outcome#UNKNOWN} ones never return and accept any output, so they may take
 * effect at any point after their call, or not at all. The cost is exponential in the worst case (in the
 * number of operations concurrent within one partition), hence the time budget.
 *
 * <pre>{@code
 * List<Operation<KvModel.Input, KvModel.Output>> history = List.of(
 *         Operation.ok(1, KvModel.put("x", "1"), KvModel.Output.done(), 0, 10),
 *         Operation.ok(2, KvModel.get("x"), KvModel.Output.value("1"), 5, 15));
 * CheckResult r = LinearizabilityChecker.check(new KvModel(), history, Duration.ofSeconds(10));
 * assert r.verdict() == CheckResult.Verdict.LINEARIZABLE : r.explanation();
 * }</pre>
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /**
     * Checks {@code history} against {@code model}.
     *
     * @param timeout the budget for the whole check; when it runs out the verdict is
     *     {@link CheckResult.Verdict#UNKNOWN} (unless a partition was already found not linearizable)
     * @return the verdict; for a violation, the explanation names the partition's operations that could not
     *     be ordered
     */
    public static <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history, Duration timeout) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(history, "history");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Operation<I, O>> effective = new ArrayList<>(history.size());
        for (Operation<I, O> op : history) {
            if (op.outcome() != Operation.Outcome.FAILED) {
                effective.add(op);
            }
        }
        List<List<Operation<I, O>>> partitions = model.partition(effective);
        boolean timedOut = false;
        for (List<Operation<I, O>> part : partitions) {
            PartitionSearch<S, I, O> search = new PartitionSearch<>(model, part, deadline);
            switch (search.run()) {
                case NOT_LINEARIZABLE -> {
                    return new CheckResult(CheckResult.Verdict.NOT_LINEARIZABLE, search.explanation(), since(start));
                }
                case TIMED_OUT -> {
                    timedOut = true;
                    // Later partitions get no budget left; stop here.
                }
                case LINEARIZABLE -> {}
            }
            if (timedOut) {
                break;
            }
        }
        if (timedOut) {
            return new CheckResult(
                    CheckResult.Verdict.UNKNOWN, "timed out after " + timeout.toMillis() + " ms", since(start));
        }
        return new CheckResult(
                CheckResult.Verdict.LINEARIZABLE,
                effective.size() + " operations in " + partitions.size() + " partitions",
                since(start));
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
