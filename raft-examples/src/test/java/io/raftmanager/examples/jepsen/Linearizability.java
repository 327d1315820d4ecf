package io.raftmanager.examples.jepsen;

import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import io.raftmanager.testkit.linearizability.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-key linearizability of a run's history, through the testkit's checker (raft-testkit), with each
 * client's operations in one ordered session (so a pipeline's commands must take effect in the order sent).
 */
final class Linearizability {
    private Linearizability() {}

    static Check check(List<Op> history) {
        Duration budget = Duration.ofSeconds(Long.getLong("jepsen.check.seconds", 120));
        CheckResult r = LinearizabilityChecker.check(new KvModel(), toOperations(history), budget);
        return new Check(
                "linearizable (per key, " + r.elapsed().toMillis() + " ms)",
                r.isLinearizable(),
                r.verdict() + ": " + r.explanation());
    }

    static List<Operation<KvModel.Input, KvModel.Output>> toOperations(List<Op> history) {
        List<Operation<KvModel.Input, KvModel.Output>> out = new ArrayList<>(history.size());
        for (Op op : history) {
            if (op.key().startsWith(Workload.EXPIRING)) {
                continue; // the model has no clock: ExpiryCheck judges these
            }
            KvModel.Input in = switch (op.kind()) {
                case GET -> KvModel.get(op.key());
                case SET -> KvModel.put(op.key(), op.value());
                case INCR -> KvModel.incr(op.key(), 1);
                case CAS -> KvModel.cas(op.key(), op.value(), op.newValue());
            };
            int client = op.process();
            // A client's commands run in the order it sent them, pipelined or not (the final reads, process
            // -1, are sequential anyway).
            long session = client >= 0 ? client + 1L : 0;
            switch (op.outcome()) {
                case OK ->
                    out.add(Operation.ok(client, in, output(op), op.invokeNanos(), op.completeNanos())
                            .inSession(session));
                case FAIL -> out.add(Operation.failed(client, in, op.invokeNanos(), op.completeNanos()));
                case UNKNOWN -> {
                    // A read changes nothing, so a read without an answer says nothing either: leave it out.
                    if (op.isWrite()) {
                        out.add(Operation.<KvModel.Input, KvModel.Output>unknown(client, in, op.invokeNanos())
                                .inSession(session));
                    }
                }
            }
        }
        return out;
    }

    private static KvModel.Output output(Op op) {
        return switch (op.kind()) {
            case GET, INCR -> KvModel.Output.value(op.result());
            case SET -> KvModel.Output.done();
            case CAS -> KvModel.Output.cas("1".equals(op.result()));
        };
    }
}
