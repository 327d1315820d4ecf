package io.raftmanager.testkit.linearizability;

import java.util.List;
import java.util.Optional;

/**
 * A sequential specification of the object a history is checked against: a pure function from a state
 * and one operation to the next state.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode}: the checker memoises
 * (set of linearized operations, state) pairs and prunes a branch it has already explored. Keep them
 * small (for a register, the value itself).
 *
 * @param <S> the model state
 * @param <I> an operation's input
 * @param <O> an operation's output
 */
public interface Model<S, I, O> {

    /** The state before any operation. */
    S init();

    /**
     * The state after {@code input} takes effect in {@code state} and returns {@code output}, or empty
     * if the object could not have returned {@code output} there.
     *
     * @param output the observed output, or {@code null} when the operation's outcome is unknown
     *     ({@link Operation.Outcome#UNKNOWN}): any output is then acceptable, and the step must return
     *     the state the operation would leave if it took effect
     */
    Optional<S> step(S state, I input, O output);

    /**
     * Splits a history into independent sub-histories (P-compositionality): the whole is linearizable
     * exactly when every part is. A key-value model splits by key. The default keeps one part.
     */
    default List<List<Operation<I, O>>> partition(List<Operation<I, O>> history) {
        return List.of(history);
    }
}
