package io.raftmanager.testkit.linearizability;

import java.util.Objects;

/**
 * One client operation of a history: what was asked, what came back, and the real-time interval in
 * which it happened. Intervals are closed: an operation returning at {@code t} and one called at
 * {@code t} are concurrent.
 *
 * <p>Create operations through {@link #ok}, {@link #failed} and {@link #unknown}. Only the clock's order
 * matters, so any monotonic clock works (nanoseconds, simulator ticks, log line numbers).
 *
 * @param clientId the client that issued it (reporting only; a client may have several in flight)
 * @param input what was asked
 * @param output what came back; {@code null} exactly when the outcome is {@link Outcome#UNKNOWN}, and
 *     ignored for {@link Outcome#FAILED}
 * @param callNanos when it was invoked
 * @param returnNanos when its response arrived; {@link Long#MAX_VALUE} when the outcome is unknown
 * @param outcome whether it took effect
 * @param session 0, or the ordered session the operation belongs to (see {@link #inSession})
 */
public record Operation<I, O>(
        int clientId, I input, O output, long callNanos, long returnNanos, Outcome outcome, long session) {

    /** Whether an operation took effect. */
    public enum Outcome {
        /** It took effect, once, and returned {@code output}. */
        OK,
        /** It definitely did not take effect (for example, refused by a non-leader); the checker drops it. */
        FAILED,
        /**
         * It may or may not have taken effect, at any time after its call (a timeout, a lost leader). The
         * checker treats it as never returning and accepts any output. Never record such an operation as
         * {@link #FAILED}.
         */
        UNKNOWN
    }

    public Operation {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(outcome, "outcome");
        if (returnNanos < callNanos) {
            throw new IllegalArgumentException("returns before its call: " + callNanos + " > " + returnNanos);
        }
        if (outcome == Outcome.OK && output == null) {
            throw new IllegalArgumentException("an OK operation needs an output: " + input);
        }
        if (outcome == Outcome.UNKNOWN && (output != null || returnNanos != Long.MAX_VALUE)) {
            throw new IllegalArgumentException("an UNKNOWN operation has no output and no return: " + input);
        }
    }

    /** An operation that took effect and returned {@code output}. */
    public static <I, O> Operation<I, O> ok(int clientId, I input, O output, long callNanos, long returnNanos) {
        return new Operation<>(clientId, input, output, callNanos, returnNanos, Outcome.OK, 0);
    }

    /** An operation that definitely did not take effect. */
    public static <I, O> Operation<I, O> failed(int clientId, I input, long callNanos, long returnNanos) {
        return new Operation<>(clientId, input, null, callNanos, returnNanos, Outcome.FAILED, 0);
    }

    /** An operation whose effect is unknown: it may take effect at any time after {@code callNanos}. */
    public static <I, O> Operation<I, O> unknown(int clientId, I input, long callNanos) {
        return new Operation<>(clientId, input, null, callNanos, Long.MAX_VALUE, Outcome.UNKNOWN, 0);
    }

    /**
     * This operation as part of {@code session}: a stream of requests the server promises to run in the order
     * they were sent, such as one connection's pipelined commands (Redis runs a connection's commands in
     * order). Besides real time, the checker then requires every operation of the session to take effect
     * after the session's earlier {@link Outcome#OK} operations (earlier by call time, ties by their order in
     * the history), within a partition: the same key for {@link KvModel}. Pipelined operations overlap in
     * real time, so without a session a server that reordered them would pass.
     */
    public Operation<I, O> inSession(long session) {
        return new Operation<>(clientId, input, output, callNanos, returnNanos, outcome, session);
    }

    @Override
    public String toString() {
        String out = switch (outcome) {
            case OK -> String.valueOf(output);
            case FAILED -> "failed";
            case UNKNOWN -> "?";
        };
        String ret = returnNanos == Long.MAX_VALUE ? "inf" : Long.toString(returnNanos);
        return "client " + clientId + " " + input + " -> " + out + " [" + callNanos + ", " + ret + "]";
    }
}
