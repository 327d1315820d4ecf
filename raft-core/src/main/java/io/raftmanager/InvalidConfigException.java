package io.raftmanager;

/** A configuration value is invalid; {@link #field()} names the offending field. */
public final class InvalidConfigException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidConfigException(String field, String problem) {
        super("invalid configuration: " + field + " " + problem);
        this.field = field;
    }

    /** Throws an {@code InvalidConfigException} for {@code field} unless {@code ok}: the one validation step of every config record. */
    public static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new InvalidConfigException(field, problem);
        }
    }

    /** The name of the configuration field that failed validation. */
    public String field() {
        return field;
    }
}
