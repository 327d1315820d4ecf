package io.raftmanager;

import com.google.protobuf.ByteString;

/**
 * The outcome of a command applied through {@link RaftNode#submit}: the state machine's result and the
 * log index it was applied at. The index is committed on a majority, so it can serve as the minimum
 * index of a later read anywhere in the group ({@link RaftNode#read(ByteString, ReadConsistency, long)}):
 * read-your-writes on any server, followers included.
 *
 * @param index the log index of the command's entry
 * @param result what {@link StateMachine#apply} returned for it
 */
public record Applied(long index, ByteString result) {}
