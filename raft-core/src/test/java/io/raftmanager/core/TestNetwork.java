package io.raftmanager.core;

import io.raftmanager.proto.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A deterministic, synchronous network of {@link TestNode}s: each node's outgoing messages are queued
 * per recipient, FIFO, and delivered in recipient-id order. No threads, no clock; the same calls always
 * give the same history. Messages can be dropped by a filter or by isolating a node.
 */
final class TestNetwork {
    private final Map<Long, TestNode> nodes = new TreeMap<>();
    private final Map<Long, ArrayDeque<RaftMessage>> inboxes = new TreeMap<>();
    private final Set<Long> isolated = new HashSet<>();
    private final List<RaftMessage> delivered = new ArrayList<>();
    private Predicate<RaftMessage> drop = m -> false;

    TestNetwork(TestNode... members) {
        for (TestNode n : members) {
            nodes.put(n.id, n);
            inboxes.put(n.id, new ArrayDeque<>());
        }
    }

    TestNode node(long id) {
        return nodes.get(id);
    }

    /** Puts {@code n} in place of the node with its id (a restart on another disk); its inbox is emptied. */
    void replace(TestNode n) {
        nodes.put(n.id, n);
        inboxes.get(n.id).clear();
    }

    /** Every message delivered so far, in delivery order. */
    List<RaftMessage> delivered() {
        return delivered;
    }

    /** Cuts a node off: messages to or from it are dropped until {@link #heal()}. */
    void isolate(long id) {
        isolated.add(id);
    }

    /** Removes every isolation and drop filter. */
    void heal() {
        isolated.clear();
        drop = m -> false;
    }

    /** Drops every message matching {@code filter} from now on. */
    void dropIf(Predicate<RaftMessage> filter) {
        drop = drop.or(filter);
    }

    /** Processes the node's pending Readys and queues what it sends. */
    void collect(long id) {
        for (RaftMessage m : nodes.get(id).processReady()) {
            enqueue(m);
        }
    }

    /** Queues a message as if a node had sent it. */
    void enqueue(RaftMessage m) {
        boolean cut = isolated.contains(m.getFrom()) || isolated.contains(m.getTo());
        ArrayDeque<RaftMessage> inbox = inboxes.get(m.getTo());
        if (inbox != null && !cut && !drop.test(m)) {
            inbox.add(m);
        }
    }

    /** Ticks the nodes {@code up} once each, then {@link #stabilize}s; {@code rounds} times. */
    void tickAndSettle(int rounds, long... up) {
        for (int i = 0; i < rounds; i++) {
            for (long id : up) {
                node(id).raft.tick();
            }
            stabilize();
        }
    }

    /**
     * Collects from every node, then delivers messages until no node has anything left to send. Throws
     * after 10,000 deliveries: a guard against livelock in a broken core.
     */
    void stabilize() {
        int budget = 10_000;
        nodes.keySet().forEach(this::collect);
        while (inboxes.values().stream().anyMatch(q -> !q.isEmpty())) {
            for (Map.Entry<Long, ArrayDeque<RaftMessage>> e : inboxes.entrySet()) {
                ArrayDeque<RaftMessage> inbox = e.getValue();
                while (!inbox.isEmpty()) {
                    if (--budget < 0) {
                        throw new IllegalStateException("network did not settle: " + inboxes);
                    }
                    RaftMessage m = inbox.poll();
                    delivered.add(m);
                    nodes.get(e.getKey()).raft.step(m);
                    collect(e.getKey());
                }
            }
        }
    }
}
