package io.raftmanager.examples.kv;

/** A command's encoding is larger than one Raft entry may be; it was not proposed. */
public final class CommandTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandTooLargeException(long size, long limit) {
        super("command of " + size + " bytes exceeds the limit of " + limit + " bytes");
    }
}
