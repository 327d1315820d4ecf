package io.raftmanager.core.log;

import io.raftmanager.proto.Entry;

/**
 * Identifies a log entry by its term and index. By the Log Matching Property (Raft §5.3) two entries
 * with the same id are the same entry, in every log that holds them.
 */
public record EntryId(long term, long index) {
    public static final EntryId ZERO = new EntryId(0, 0);

    public static EntryId of(Entry entry) {
        return new EntryId(entry.getTerm(), entry.getIndex());
    }

    @Override
    public String toString() {
        return term + "/" + index;
    }
}
