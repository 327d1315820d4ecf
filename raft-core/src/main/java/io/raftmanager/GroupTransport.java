package io.raftmanager;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;

/**
 * One group's view of a {@link RaftServer}'s shared transport: sending goes straight to it (heartbeats
 * through the server's {@link HeartbeatCoalescer} when it coalesces them); starting
 * registers the group's handler with the server's {@link GroupRouter}; closing unregisters it and leaves
 * the shared transport running.
 */
final class GroupTransport implements Transport {
    private final long groupId;
    private final Transport shared;
    private final GroupRouter router;
    private final HeartbeatCoalescer coalescer;
    private volatile InboundHandler handler;

    /** @param coalescer where heartbeats go instead of {@code shared}, or null to send them one by one */
    GroupTransport(long groupId, Transport shared, GroupRouter router, HeartbeatCoalescer coalescer) {
        this.groupId = groupId;
        this.shared = shared;
        this.router = router;
        this.coalescer = coalescer;
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
        if (coalescer != null && HeartbeatCoalescer.coalescable(message)) {
            coalescer.add(message);
        } else {
            shared.send(message);
        }
    }

    @Override
    public void close() {
        InboundHandler h = handler;
        if (h != null) {
            router.unregister(groupId, h);
        }
    }
}
