package io.raftmanager;

/**
 * A command proposed in a client session was refused when its entry was applied, identically on every
 * server: this attempt did not apply it and no later attempt with the same sequence number will. It says
 * nothing about earlier attempts with that sequence number: if there were none, or each was definitely
 * rejected, the command was never applied; if one ended with {@link IndeterminateResultException}, it may
 * have been applied, and that stays unknown. Open a new session (see {@link RaftNode#registerSession()}) for further commands.
 */
public final class SessionExpiredException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** Why the command was refused. */
    public enum Reason {
        /** The session was never registered, or expired after being idle longer than the session timeout. */
        UNKNOWN_SESSION,
        /**
         * The sequence number is older than the results the session keeps (the last {@link
         * RaftConfig#sessionResultWindow()} sequence numbers it applied): either an attempt with it was
         * applied and its result since discarded, or it was never used and the session has moved past it.
         */
        RESULT_DISCARDED
    }

    private final Reason reason;
    private final long sessionId;
    private final long sequence;

    public SessionExpiredException(Reason reason, long sessionId, long sequence) {
        super("session " + sessionId + " sequence " + sequence + " refused: " + reason);
        this.reason = reason;
        this.sessionId = sessionId;
        this.sequence = sequence;
    }

    public Reason reason() {
        return reason;
    }

    public long sessionId() {
        return sessionId;
    }

    public long sequence() {
        return sequence;
    }
}
