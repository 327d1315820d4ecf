package io.raftmanager.core.quorum;

/** The outcome of counting votes against a configuration. */
public enum VoteResult {
    /** Not yet decided: enough voters have not answered. */
    PENDING,
    LOST,
    WON
}
