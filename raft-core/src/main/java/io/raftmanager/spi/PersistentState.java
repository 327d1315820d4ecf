package io.raftmanager.spi;

import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;

/**
 * What a server recovers from its storage at start-up.
 *
 * @param hardState term, vote and commit index as last persisted
 * @param membership the configuration in effect at the latest snapshot (or the bootstrap one);
 *     configuration entries after it are re-applied from the log
 */
public record PersistentState(HardState hardState, Membership membership) {
    public PersistentState {
        if (hardState == null || membership == null) {
            throw new IllegalArgumentException("hardState and membership are required");
        }
    }
}
