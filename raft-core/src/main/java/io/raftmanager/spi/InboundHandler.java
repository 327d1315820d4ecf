package io.raftmanager.spi;

import io.raftmanager.proto.RaftMessage;

/**
 * Receives what a {@link Transport} brings in. Called from transport threads: implementations must be
 * thread-safe, must not block, and should only hand the message over (for example to a group's inbox).
 */
public interface InboundHandler {
    /** A message arrived; it has passed the transport's framing checks but not yet the core's validation. */
    void onMessage(RaftMessage message);

    /** Messages to {@code peer} in {@code groupId} are being dropped (disconnected or backlogged). */
    default void onUnreachable(long groupId, long peer) {}
}
