package io.raftmanager;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one {@link InboundHandler} a {@link RaftServer} gives its transport: hands each message and each
 * unreachable-peer report to the group it names. A message for a group not hosted here (not created yet,
 * or removed) is dropped and counted; Raft treats it as lost, and the sender retries. A {@link
 * io.raftmanager.proto.HeartbeatBatch} is unpacked and each heartbeat in it routed on its own.
 */
final class GroupRouter implements InboundHandler {
    private final ConcurrentHashMap<Long, InboundHandler> groups = new ConcurrentHashMap<>();
    private final AtomicLong droppedUnknownGroup = new AtomicLong();
    /** Told of every message, for node liveness; null when the server does not track it. */
    private volatile HeartbeatCoalescer liveness;

    void trackLiveness(HeartbeatCoalescer coalescer) {
        liveness = coalescer;
    }

    /** Routes {@code groupId}'s traffic to {@code handler}; false if the group already has a handler. */
    boolean register(long groupId, InboundHandler handler) {
        return groups.putIfAbsent(groupId, handler) == null;
    }

    /** Stops routing to {@code handler} (only if it is still the group's handler). */
    void unregister(long groupId, InboundHandler handler) {
        groups.remove(groupId, handler);
    }

    long droppedUnknownGroup() {
        return droppedUnknownGroup.get();
    }

    @Override
    public void onMessage(RaftMessage message) {
        HeartbeatCoalescer l = liveness;
        if (l != null) {
            l.heard(message);
        }
        if (message.getBodyCase() == RaftMessage.BodyCase.HEARTBEAT_BATCH) {
            HeartbeatCoalescer.unpack(message, this::route);
        } else {
            route(message);
        }
    }

    private void route(RaftMessage message) {
        InboundHandler h = groups.get(message.getGroupId());
        if (h == null) {
            droppedUnknownGroup.incrementAndGet();
            return;
        }
        h.onMessage(message);
    }

    @Override
    public void onUnreachable(long groupId, long peer) {
        InboundHandler h = groups.get(groupId);
        if (h != null) {
            h.onUnreachable(groupId, peer);
        }
    }
}
