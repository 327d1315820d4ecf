package io.raftmanager.spi;

import io.raftmanager.proto.RaftMessage;

/**
 * Carries {@link RaftMessage}s between servers. One transport may serve many Raft groups: messages
 * carry their group id and the inbound handler dispatches on it.
 *
 * <p>Contract: {@link #send} never blocks and never throws for network trouble; delivery is best effort
 * (Raft tolerates loss, duplication and reordering), but messages from one sender to one receiver
 * should normally arrive in order. Snapshot chunks ({@code install_snapshot_request}) must not delay
 * other messages such as heartbeats behind them.
 */
public interface Transport extends AutoCloseable {
    /** Starts accepting and sending; inbound messages go to {@code handler}. Called once. */
    void start(InboundHandler handler);

    /**
     * Queues {@code message} for {@code message.getTo()}. Non-blocking; a message that cannot be queued
     * (unknown peer, full buffer, closed transport) is dropped and counted, and the sender is told through
     * {@link InboundHandler#onUnreachable} when a peer's messages are being dropped.
     */
    void send(RaftMessage message);

    /** Stops, releasing every connection, thread and buffer; idempotent. */
    @Override
    void close();
}
