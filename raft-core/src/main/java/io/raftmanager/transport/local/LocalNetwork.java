package io.raftmanager.transport.local;

import io.raftmanager.proto.RaftMessage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-process network connecting {@link LocalTransport}s, for tests of state machines and of the
 * runtime without sockets. Links can be cut (one way or both) and healed; cut links drop messages, as a
 * real network would. Thread-safe.
 */
public final class LocalNetwork {
    private final Map<Long, LocalTransport> transports = new ConcurrentHashMap<>();
    private final Set<Long> cutLinks = ConcurrentHashMap.newKeySet();

    /** A network with no transports and no cut links. */
    public LocalNetwork() {}

    /** The transport of server {@code id}, created on first use. */
    public LocalTransport transport(long id) {
        return transports.computeIfAbsent(id, i -> new LocalTransport(i, this));
    }

    /** Drops every message from {@code from} to {@code to} until healed. */
    public void cut(long from, long to) {
        cutLinks.add(link(from, to));
    }

    /** Cuts {@code id} off from every other server, both ways. */
    public void isolate(long id) {
        for (long other : transports.keySet()) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    /** Restores every link. */
    public void heal() {
        cutLinks.clear();
    }

    void deliver(RaftMessage m) {
        if (cutLinks.contains(link(m.getFrom(), m.getTo()))) {
            return;
        }
        LocalTransport to = transports.get(m.getTo());
        if (to != null) {
            to.receive(m);
        }
    }

    private static long link(long from, long to) {
        return from * 1_000_003L + to;
    }
}
