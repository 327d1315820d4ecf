package io.raftmanager;

/**
 * What a snapshot holds: the state machine's state after applying entry {@code index}.
 *
 * @param index the last entry the state includes
 * @param term the term of that entry
 * @param membership the configuration in effect at {@code index}
 * @param sizeBytes the size of the snapshot's data (0 if not known yet)
 */
public record SnapshotInfo(long index, long term, Membership membership, long sizeBytes) {}
