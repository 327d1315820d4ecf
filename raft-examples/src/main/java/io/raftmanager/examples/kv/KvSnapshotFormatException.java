package io.raftmanager.examples.kv;

import java.io.IOException;

/** The bytes given to {@link KvStateMachine#restore} are not a raft-kv snapshot this version can read. */
public final class KvSnapshotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public KvSnapshotFormatException(String message) {
        super(message);
    }
}
