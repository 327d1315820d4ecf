package io.raftmanager.testkit.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A map of independent string registers: GET, PUT, APPEND, INCR, CAS and DELETE on one key each. The
 * history is partitioned by key, so the state is one register's value ({@code Optional.empty()} when the
 * key is absent).
 *
 * <p>Outputs: GET returns the value ({@link Output#value}, {@code null} for absent); INCR returns the new
 * value; CAS returns whether it swapped ({@link Output#cas}); PUT, APPEND and DELETE return
 * {@link Output#done()} (their output is not checked). Writing a unique value per write makes histories
 * cheaper to check, because each read then pins down which writes preceded it.
 */
public final class KvModel implements Model<Optional<String>, KvModel.Input, KvModel.Output> {

    /** The operation kinds. */
    public enum Kind {
        GET,
        PUT,
        APPEND,
        INCR,
        CAS,
        DELETE
    }

    /**
     * One operation's input.
     *
     * @param value the value written (PUT, APPEND), the new value (CAS) or the decimal delta (INCR)
     * @param expected the value a CAS compares with, {@code null} to expect the key absent
     */
    public record Input(Kind kind, String key, String value, String expected) {
        public Input {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return switch (kind) {
                case GET, DELETE -> kind + " " + key;
                case PUT, APPEND, INCR -> kind + " " + key + " " + value;
                case CAS -> kind + " " + key + " " + expected + "->" + value;
            };
        }
    }

    /**
     * One operation's output.
     *
     * @param value what a GET or INCR returned ({@code null}: absent)
     * @param swapped whether a CAS swapped
     */
    public record Output(String value, boolean swapped) {
        private static final Output DONE = new Output(null, false);

        /** The output of a GET or INCR. */
        public static Output value(String value) {
            return new Output(value, false);
        }

        /** The output of a CAS. */
        public static Output cas(boolean swapped) {
            return new Output(null, swapped);
        }

        /** The output of a PUT, APPEND or DELETE. */
        public static Output done() {
            return DONE;
        }

        @Override
        public String toString() {
            return this == DONE ? "ok" : value != null ? value : swapped ? "swapped" : "nil/false";
        }
    }

    public static Input get(String key) {
        return new Input(Kind.GET, key, null, null);
    }

    public static Input put(String key, String value) {
        return new Input(Kind.PUT, key, Objects.requireNonNull(value, "value"), null);
    }

    public static Input append(String key, String value) {
        return new Input(Kind.APPEND, key, Objects.requireNonNull(value, "value"), null);
    }

    public static Input incr(String key, long delta) {
        return new Input(Kind.INCR, key, Long.toString(delta), null);
    }

    /** Compare-and-set: to {@code value} if the key holds {@code expected} ({@code null}: is absent). */
    public static Input cas(String key, String expected, String value) {
        return new Input(Kind.CAS, key, Objects.requireNonNull(value, "value"), expected);
    }

    public static Input delete(String key) {
        return new Input(Kind.DELETE, key, null, null);
    }

    @Override
    public Optional<String> init() {
        return Optional.empty();
    }

    @Override
    public Optional<Optional<String>> step(Optional<String> state, Input in, Output out) {
        String current = state.orElse(null);
        return switch (in.kind()) {
            case GET -> out == null || Objects.equals(out.value(), current) ? Optional.of(state) : Optional.empty();
            case PUT -> Optional.of(Optional.of(in.value()));
            case APPEND -> Optional.of(Optional.of(state.orElse("") + in.value()));
            case DELETE -> Optional.of(Optional.empty());
            case CAS -> {
                boolean swaps = Objects.equals(current, in.expected());
                if (out != null && out.swapped() != swaps) {
                    yield Optional.empty();
                }
                yield Optional.of(swaps ? Optional.of(in.value()) : state);
            }
            case INCR -> {
                Optional<Long> base = parse(current);
                if (base.isEmpty()) {
                    yield Optional.empty();
                }
                String next = Long.toString(base.get() + Long.parseLong(in.value()));
                yield out == null || next.equals(out.value()) ? Optional.of(Optional.of(next)) : Optional.empty();
            }
        };
    }

    private static Optional<Long> parse(String value) {
        if (value == null) {
            return Optional.of(0L);
        }
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<List<Operation<Input, Output>>> partition(List<Operation<Input, Output>> history) {
        Map<String, List<Operation<Input, Output>>> byKey = new LinkedHashMap<>();
        for (Operation<Input, Output> op : history) {
            byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
        }
        return new ArrayList<>(byKey.values());
    }
}
