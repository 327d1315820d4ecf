package io.raftmanager;

/**
 * Whether a membership change must first pass the check that the new configuration has a live quorum:
 * a majority of its voters heard from recently and caught up to within {@link
 * RaftConfig#learnerCatchUpMarginEntries()}. Without it, a change can leave a group that cannot commit
 * anything (for example by adding voters that are down).
 */
public enum LiveQuorumCheck {
    /** Refuse the change with {@link MembershipChangeException} unless the new configuration has a live quorum. */
    ENFORCE,
    /**
     * Skip the check: only for recovering a group whose failed members must be replaced anyway. The other
     * rules (one change at a time, at most one voter in a one-step change) still hold.
     */
    SKIP
}
