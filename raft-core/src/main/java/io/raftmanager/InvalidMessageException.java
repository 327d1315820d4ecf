package io.raftmanager;

/**
 * A message from the network was refused without changing any state: it is malformed, addressed to
 * another cluster, group or server, or comes from a peer that may not send it. {@link #reason()} tells
 * which, so a transport can decide whether to close the connection.
 */
public final class InvalidMessageException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** Why a message was refused. */
    public enum Reason {
        /** Missing body, impossible numbers, or entries that contradict the envelope. */
        MALFORMED,
        /** A format version newer than this library understands. */
        UNSUPPORTED_VERSION,
        WRONG_CLUSTER,
        WRONG_GROUP,
        /** Addressed to another server, or claiming to come from this one. */
        WRONG_RECIPIENT,
        /**
         * A message from a server that is not a member of the configuration. The core no longer refuses
         * such messages (during membership changes they are normal: it ignores them); kept for transports
         * that check membership themselves.
         */
        UNKNOWN_PEER,
        /**
         * The sender's authenticated identity (its TLS certificate) names another server than the one the
         * message claims to come from, or no server at all. Only transports that bind identities use it.
         */
        WRONG_IDENTITY
    }

    private final Reason reason;

    public InvalidMessageException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
