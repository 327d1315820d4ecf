package io.raftmanager.testkit.linearizability;

import java.time.Duration;
import java.util.Objects;

/**
 * The verdict of {@link LinearizabilityChecker#check}, with a human-readable explanation when the history
 * is not linearizable.
 *
 * @param verdict the verdict
 * @param explanation for {@link Verdict#NOT_LINEARIZABLE}, the partition that failed, the longest order
 *     of its operations found legal and the operation that could not be placed after it; otherwise a
 *     one-line summary
 * @param elapsed how long the check took
 */
public record CheckResult(Verdict verdict, String explanation, Duration elapsed) {

    /** The three possible verdicts. */
    public enum Verdict {
        /** Some order of the operations respects real time and the model. */
        LINEARIZABLE,
        /** No such order exists. */
        NOT_LINEARIZABLE,
        /** The time budget ran out before the search finished. */
        UNKNOWN
    }

    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Whether the history was proved linearizable. */
    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
        return verdict + " (" + elapsed.toMillis() + " ms): " + explanation;
    }
}
