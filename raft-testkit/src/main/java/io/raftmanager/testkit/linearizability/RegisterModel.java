package io.raftmanager.testkit.linearizability;

import java.util.Objects;
import java.util.Optional;

/**
 * One read/write/compare-and-set register holding a string ({@code null} before the first write). The
 * state is the value itself, wrapped in an {@link Optional} (empty: never written).
 *
 * <p>Outputs: a read returns the value ({@link Output#value}); a write returns {@link Output#done()}; a CAS
 * returns whether it swapped ({@link Output#cas}).
 */
public final class RegisterModel implements Model<Optional<String>, RegisterModel.Input, RegisterModel.Output> {

    /** The operation kinds. */
    public enum Kind {
        READ,
        WRITE,
        CAS
    }

    /**
     * One operation's input.
     *
     * @param kind what it does
     * @param value the value written (WRITE) or swapped in (CAS)
     * @param expected the value a CAS compares with ({@code null}: never written)
     */
    public record Input(Kind kind, String value, String expected) {
        /** Validates the fields. */
        public Input {
            Objects.requireNonNull(kind, "kind");
            if (kind != Kind.READ && value == null) {
                throw new IllegalArgumentException(kind + " needs a value");
            }
        }

        @Override
        public String toString() {
            return switch (kind) {
                case READ -> "read";
                case WRITE -> "write " + value;
                case CAS -> "cas " + expected + "->" + value;
            };
        }
    }

    /**
     * One operation's output.
     *
     * @param value what a read returned ({@code null}: never written)
     * @param swapped whether a CAS swapped
     */
    public record Output(String value, boolean swapped) {
        private static final Output DONE = new Output(null, true);

        /** The output of a read. */
        public static Output value(String value) {
            return new Output(value, false);
        }

        /** The output of a CAS. */
        public static Output cas(boolean swapped) {
            return new Output(null, swapped);
        }

        /** The output of a write. */
        public static Output done() {
            return DONE;
        }
    }

    /** A read. */
    public static Input read() {
        return new Input(Kind.READ, null, null);
    }

    /** A write of {@code value}. */
    public static Input write(String value) {
        return new Input(Kind.WRITE, value, null);
    }

    /** Sets {@code value} if the register holds {@code expected} ({@code null}: never written). */
    public static Input cas(String expected, String value) {
        return new Input(Kind.CAS, value, expected);
    }

    @Override
    public Optional<String> init() {
        return Optional.empty();
    }

    @Override
    public Optional<Optional<String>> step(Optional<String> state, Input input, Output output) {
        return switch (input.kind()) {
            case READ ->
                output == null || Objects.equals(output.value(), state.orElse(null))
                        ? Optional.of(state)
                        : Optional.empty();
            case WRITE -> Optional.of(Optional.of(input.value()));
            case CAS -> {
                boolean matches = Objects.equals(input.expected(), state.orElse(null));
                if (output != null && output.swapped() != matches) {
                    yield Optional.empty();
                }
                yield Optional.of(matches ? Optional.of(input.value()) : state);
            }
        };
    }
}
