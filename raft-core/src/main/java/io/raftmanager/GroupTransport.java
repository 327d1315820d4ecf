package io.raftmanager;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;

/**
 * One group's view of a {@link RaftServer}'s shared transport: sending goes straight to it; starting
 * registers the group's handler with the server's {@link GroupRouter}; closing unregisters it and leaves
 * the shared transport running.
 */
final class GroupTransport implements Transport {
    private final long groupId;
    private final Transport shared;
    private final GroupRouter router;
    private volatile InboundHandler handler;

    GroupTransport(long groupId, Transport shared, GroupRouter router) {
        this.groupId = groupId;
        this.shared = shared;
        this.router = router;
    }

    @Override
    public void start(InboundHandler h) {
        if (!router.register(groupId, h)) {
            throw new IllegalStateException("group " + groupId + " is already hosted");
        }
        handler = h;
    }

    @Override
    public void send(RaftMessage message) {
        shared.send(message);
    }

    @Override
    public void close() {
        InboundHandler h = handler;
        if (h != null) {
            router.unregister(groupId, h);
        }
    }
}
