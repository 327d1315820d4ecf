package io.raftmanager;

/**
 * A membership change was refused before it entered the log, so the configuration is unchanged and the
 * caller may correct the request and retry. {@link #reason()} names the rule the change would break.
 */
public final class MembershipChangeException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** The rule a refused membership change would have broken. */
    public enum Reason {
        /** A peer change names peer 0, has no type, or names a peer twice; or the request is malformed. */
        INVALID_CHANGE,
        /** A one-step change may add or remove at most one voter (thesis §4.1); use a joint change. */
        TOO_MANY_VOTER_CHANGES,
        /** A joint configuration cannot be entered while one is in effect. */
        ALREADY_JOINT,
        /** Only a joint configuration can be left. */
        NOT_JOINT,
        /** The resulting configuration would have no voters. */
        NO_VOTERS,
        /** An earlier change has not been applied yet; at most one change is in flight. */
        CHANGE_IN_PROGRESS,
        /** The leader has not yet committed an entry of its own term (the single-server change bug). */
        LEADER_NOT_READY,
        /** A learner cannot be promoted before it has caught up with the leader's log. */
        LEARNER_LAGGING,
        /** The resulting configuration would not have a live, caught-up quorum (refused unless forced). */
        NO_LIVE_QUORUM,
        /**
         * The change removes or demotes the leader of a two-voter configuration (refused unless forced): the
         * other voter may not learn that the change committed before the leader hands off, and then needs
         * the removed leader's vote (etcd-io/etcd#10563). While the removed server runs, its refusal tells
         * the other voter the change committed; once it is gone, nothing can. Transfer leadership first.
         */
        LEADER_REMOVAL_FROM_TWO_VOTERS,
        /**
         * The change adds a peer id that was removed from the group earlier (the configuration keeps
         * tombstones): ids are never reused, so give the returning server a fresh id and empty storage.
         */
        REMOVED_PEER,
        /**
         * The change would make a server a voter before it has durably acknowledged any entry or snapshot
         * of the leader's log (refused even when forced, with storage recovery on). A blank server asked to
         * vote is then always one that lost its disk after joining, and refuses (docs/storage-faults.md).
         * Add it as a learner, let it catch up, then promote it.
         */
        VOTER_NOT_ACKNOWLEDGED
    }

    private final Reason reason;

    public MembershipChangeException(Reason reason, String detail) {
        super("membership change refused (" + reason + "): " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
