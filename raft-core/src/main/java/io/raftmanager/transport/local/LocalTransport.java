package io.raftmanager.transport.local;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;

/**
 * A {@link Transport} within one JVM, over a {@link LocalNetwork}. Delivery hands the message straight
 * to the receiver's inbound handler (which only enqueues it), so it never blocks the sender. A closed or
 * not yet started receiver drops messages.
 */
public final class LocalTransport implements Transport {
    private final long id;
    private final LocalNetwork network;
    private volatile InboundHandler handler;
    private volatile boolean closed;

    LocalTransport(long id, LocalNetwork network) {
        this.id = id;
        this.network = network;
    }

    /** The server this transport belongs to. */
    public long id() {
        return id;
    }

    @Override
    public void start(InboundHandler h) {
        if (closed) {
            throw new IllegalStateException("transport " + id + " is closed");
        }
        handler = h;
    }

    @Override
    public void send(RaftMessage message) {
        if (!closed) {
            network.deliver(message);
        }
    }

    void receive(RaftMessage m) {
        InboundHandler h = handler;
        if (h != null && !closed) {
            h.onMessage(m);
        }
    }

    /** Stops sending and receiving. A later {@link #start} on a new node needs a new transport. */
    @Override
    public void close() {
        closed = true;
        handler = null;
    }

    /** Reopens a closed transport, as a restarted server would rebind its address. */
    public void reopen() {
        closed = false;
    }
}
