package io.raftmanager.spi;

import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;

/**
 * What a server recovers from its storage at start-up.
 *
 * @param hardState term, vote and commit index as last persisted
 * @param membership the configuration in effect at the latest snapshot (or the bootstrap one);
 *     configuration entries after it are re-applied from the log
 * @param lost the storage found that state it once held is gone or damaged (a missing or corrupt record,
 *     an identity showing the server was a member but no log): what is left may be any prefix of what
 *     was written, and the server must recover from its peers before it votes (docs/storage-faults.md)
 */
public record PersistentState(HardState hardState, Membership membership, boolean lost) {
    public PersistentState {
        if (hardState == null || membership == null) {
            throw new IllegalArgumentException("hardState and membership are required");
        }
    }

    /** State the storage read back intact. */
    public PersistentState(HardState hardState, Membership membership) {
        this(hardState, membership, false);
    }
}
