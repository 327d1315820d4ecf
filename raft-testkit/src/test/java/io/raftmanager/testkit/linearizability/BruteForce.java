package io.raftmanager.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A reference checker for tiny histories: tries every order (and every subset of unknown operations). */
final class BruteForce {

    private BruteForce() {}

    static <S, I, O> boolean linearizable(Model<S, I, O> model, List<Operation<I, O>> history) {
        List<Operation<I, O>> ops = new ArrayList<>();
        for (Operation<I, O> op : history) {
            if (op.outcome() != Operation.Outcome.FAILED) {
                ops.add(op);
            }
        }
        return search(model, ops, new boolean[ops.size()], model.init());
    }

    private static <S, I, O> boolean search(
            Model<S, I, O> model, List<Operation<I, O>> ops, boolean[] placed, S state) {
        boolean definitePending = false;
        for (int i = 0; i < ops.size(); i++) {
            if (!placed[i] && ops.get(i).outcome() == Operation.Outcome.OK) {
                definitePending = true;
            }
        }
        if (!definitePending) {
            return true; // the remaining unknown operations need not take effect
        }
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i] || !minimal(ops, placed, i)) {
                continue;
            }
            Optional<S> next = model.step(state, ops.get(i).input(), ops.get(i).output());
            if (next.isPresent()) {
                placed[i] = true;
                boolean ok = search(model, ops, placed, next.get());
                placed[i] = false;
                if (ok) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether no unplaced operation returned strictly before operation {@code i} was called. */
    private static <I, O> boolean minimal(List<Operation<I, O>> ops, boolean[] placed, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!placed[j] && j != i && ops.get(j).returnNanos() < ops.get(i).callNanos()) {
                if (ops.get(j).outcome() == Operation.Outcome.OK) {
                    return false;
                }
            }
        }
        return true;
    }
}
