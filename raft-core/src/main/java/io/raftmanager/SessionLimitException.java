package io.raftmanager;

/**
 * A session registration was refused because the group already holds {@link RaftConfig#maxSessions()}
 * client sessions. Every server refused it identically when its entry was applied: no session was
 * created. Register again once idle sessions have expired (after {@link RaftConfig#sessionTimeoutMillis()}).
 */
public final class SessionLimitException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final int limit;

    public SessionLimitException(int limit) {
        super("session registration refused: the group already holds its limit of " + limit + " sessions");
        this.limit = limit;
    }

    /** The configured limit that was reached. */
    public int limit() {
        return limit;
    }
}
