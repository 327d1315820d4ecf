package io.raftmanager.examples.kv;

/** A node cannot start for a reason the user can fix; its message is the one line the CLI prints. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
