package io.raftmanager.examples.jepsen;

/**
 * One client operation as the client saw it.
 *
 * @param process the client that ran it (a client runs one operation at a time)
 * @param kind what was asked
 * @param key the key
 * @param value the value written (SET), the expected value (CAS), or null
 * @param newValue the value CAS writes, or null
 * @param outcome whether it took effect, as far as the client can tell
 * @param result GET: the value read (null for a missing key); INCR: the new value as a string; CAS: "1"
 *     when it swapped, "0" when it did not; SET: null
 * @param node the node the client talked to
 * @param invokeNanos when the request was sent ({@link System#nanoTime})
 * @param completeNanos when the reply (or the give-up) came
 * @param error the error reply or exception, for the report
 */
record Op(
        int process,
        Kind kind,
        String key,
        String value,
        String newValue,
        Outcome outcome,
        String result,
        long node,
        long invokeNanos,
        long completeNanos,
        String error) {

    enum Kind {
        GET,
        SET,
        INCR,
        CAS
    }

    /** OK: took effect with the result given; FAIL: definitely did not; UNKNOWN: may or may not have. */
    enum Outcome {
        OK,
        FAIL,
        UNKNOWN
    }

    boolean isWrite() {
        return kind != Kind.GET;
    }

    long latencyNanos() {
        return completeNanos - invokeNanos;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder()
                .append('p')
                .append(process)
                .append(" n")
                .append(node)
                .append(' ')
                .append(kind)
                .append(' ')
                .append(key);
        if (value != null) {
            b.append(' ').append(value);
        }
        if (newValue != null) {
            b.append(' ').append(newValue);
        }
        b.append(" -> ").append(outcome);
        if (outcome == Outcome.OK && (kind == Kind.GET || kind == Kind.INCR || kind == Kind.CAS)) {
            b.append(' ').append(result);
        }
        if (error != null) {
            b.append(" (").append(error).append(')');
        }
        return b.append(" [")
                .append(invokeNanos)
                .append(", ")
                .append(completeNanos)
                .append(']')
                .toString();
    }
}
