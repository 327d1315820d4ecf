package io.raftmanager.examples.jepsen;

import java.nio.file.Path;
import java.util.List;

/** What a run found: the history, the faults, the checks and where the report is. */
record RunResult(
        RunOptions options,
        long startNanos,
        long endNanos,
        List<Op> history,
        List<Fault> faults,
        List<Check> checks,
        Path report) {

    boolean valid() {
        return checks.stream().allMatch(Check::passed);
    }

    long count(Op.Outcome outcome) {
        return history.stream().filter(o -> o.outcome() == outcome).count();
    }

    String summary() {
        StringBuilder b = new StringBuilder()
                .append(options.name())
                .append(" seed=")
                .append(options.seed())
                .append(" nodes=")
                .append(options.nodes())
                .append(": ")
                .append(valid() ? "VALID" : "INVALID")
                .append(", ")
                .append(history.size())
                .append(" ops (ok ")
                .append(count(Op.Outcome.OK))
                .append(", fail ")
                .append(count(Op.Outcome.FAIL))
                .append(", unknown ")
                .append(count(Op.Outcome.UNKNOWN))
                .append("), ")
                .append(faults.stream().filter(f -> !f.skipped()).count())
                .append(" faults, report ")
                .append(report);
        for (Check c : checks) {
            b.append("\n  ")
                    .append(c.passed() ? "PASS " : "FAIL ")
                    .append(c.name())
                    .append(": ")
                    .append(c.detail());
        }
        return b.toString();
    }
}
