package io.raftmanager.core;

import com.google.protobuf.ByteString;

/**
 * A read request that may now be served: once the state machine has applied {@code index}, a query
 * answered locally reflects every write completed before the request began (linearizable).
 *
 * @param context the request's context as given to {@link Raft#readIndex}
 */
public record ReadState(ByteString context, long index) {}
