package io.raftmanager.core.interaction;

import io.raftmanager.RaftConfig;
import io.raftmanager.core.Raft;
import io.raftmanager.core.Ready;
import io.raftmanager.core.TestNode;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The world a script drives: several {@link TestNode}s, a network holding sent messages per recipient in
 * FIFO order, an optional partition, and the set of crashed nodes. Everything iterates in id order, so a
 * script always produces the same transcript.
 */
final class InteractionEnv {
    final TreeMap<Long, TestNode> nodes = new TreeMap<>();
    final Set<Long> down = new TreeSet<>();
    /** The configuration options of {@code add-nodes}, reused for servers added later. */
    UnaryOperator<RaftConfig.Builder> configTweak = b -> b;

    private final TreeMap<Long, ArrayDeque<RaftMessage>> inbox = new TreeMap<>();
    /** Node id to partition group; empty when the network is whole. */
    private final Map<Long, Integer> groups = new TreeMap<>();

    private final List<String> out = new ArrayList<>();
    /** Each node's latest snapshot (metadata only: the harness plays the runtime's snapshot store). */
    final Map<Long, SnapshotMeta> snapshots = new TreeMap<>();

    void println(String line) {
        out.add(line);
    }

    boolean hasOutput() {
        return !out.isEmpty();
    }

    /** Returns and forgets the output produced since the last call. */
    List<String> takeOutput() {
        List<String> lines = new ArrayList<>(out);
        out.clear();
        return lines;
    }

    TestNode node(long id) {
        TestNode n = nodes.get(id);
        if (n == null) {
            throw new ScriptException("no node " + id);
        }
        return n;
    }

    /** The node, which must be up: commands that drive a core refuse crashed nodes. */
    TestNode upNode(long id) {
        TestNode n = node(id);
        if (down.contains(id)) {
            throw new ScriptException("node " + id + " is down");
        }
        return n;
    }

    /** The volatile identity of a core that scripts care about: role, term, vote and known leader. */
    static String state(Raft r) {
        var s = r.status();
        return s.role() + " term=" + s.term() + " vote=" + s.vote() + " leader=" + s.leader();
    }

    /** Runs {@code action} on a node and prints {@code indent + "id: before -> after"} if its state changed. */
    boolean observe(TestNode n, String indent, Runnable action) {
        String before = state(n.raft);
        try {
            action.run();
        } catch (ScriptException e) {
            throw e;
        } catch (RuntimeException e) {
            println(indent + "ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        String after = state(n.raft);
        if (!before.equals(after)) {
            println(indent + n.id + ": " + before + " -> " + after);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Ready handling

    /**
     * Takes one Ready from the node and carries it out synchronously: queue its messages, persist, queue
     * the after-persist messages, apply, acknowledge. Returns false if the node had nothing ready.
     */
    boolean processReady(long id) {
        TestNode n = upNode(id);
        if (!n.raft.hasReady()) {
            return false;
        }
        Ready rd = n.raft.ready();
        println("> " + id + " handling Ready #" + rd.number() + (rd.mustSync() ? " sync" : ""));
        for (String line : MessageFormatter.ready(rd)) {
            println("  " + line);
        }
        for (RaftMessage m : rd.messages()) {
            if (m.hasInstallSnapshotRequest()) {
                streamSnapshot(n, m);
            } else {
                send(m);
            }
        }
        if (rd.hasPersistWork()) {
            n.storage.write(rd.toLogBatch());
        }
        rd.messagesAfterPersist().forEach(this::send);
        n.applied.addAll(rd.entriesToApply());
        observe(n, "  ", () -> n.raft.advance(rd));
        return true;
    }

    /**
     * Plays the runtime asked to stream a snapshot: the whole snapshot travels as one complete message
     * (the chunk protocol is the runtime's, tested in SnapshotTransferTest), and the transfer is reported
     * finished at once.
     */
    private void streamSnapshot(TestNode n, RaftMessage request) {
        SnapshotMeta meta = snapshots.get(n.id);
        if (meta == null) {
            throw new ScriptException("node " + n.id + " asked to send a snapshot but has none");
        }
        println("  runtime: streams snapshot " + meta.getTerm() + "/" + meta.getIndex() + " to " + request.getTo());
        send(request.toBuilder()
                .setInstallSnapshotRequest(
                        InstallSnapshotRequest.newBuilder().setMeta(meta).setDone(true))
                .build());
        observe(n, "  ", () -> n.raft.reportSnapshot(request.getTo(), true));
    }

    // ---------------------------------------------------------------------------------------------
    // The network

    void send(RaftMessage m) {
        inbox.computeIfAbsent(m.getTo(), k -> new ArrayDeque<>()).add(m);
    }

    boolean hasMessages(long to) {
        ArrayDeque<RaftMessage> q = inbox.get(to);
        return q != null && !q.isEmpty();
    }

    /** Recipients with queued messages, in id order. */
    List<Long> recipients() {
        List<Long> ids = new ArrayList<>();
        inbox.forEach((to, q) -> {
            if (!q.isEmpty()) {
                ids.add(to);
            }
        });
        return ids;
    }

    /**
     * Delivers (or, if {@code drop}, discards) every message queued for {@code to}, oldest first. Messages
     * across the partition or to a crashed node are discarded with a note.
     */
    void deliver(long to, boolean drop) {
        ArrayDeque<RaftMessage> q = inbox.get(to);
        if (q == null || q.isEmpty()) {
            return;
        }
        List<RaftMessage> batch = new ArrayList<>(q);
        q.clear();
        println("> " + to + (drop ? " dropping messages" : " receiving messages"));
        for (RaftMessage m : batch) {
            String text = MessageFormatter.message(m);
            if (drop) {
                println("  " + text + " DROPPED");
            } else if (!connected(m.getFrom(), to)) {
                println("  " + text + " DROPPED (partition)");
            } else if (down.contains(to) || !nodes.containsKey(to)) {
                println("  " + text + " DROPPED (" + to + " is down)");
            } else {
                println("  " + text);
                TestNode n = nodes.get(to);
                observe(n, "    ", () -> n.raft.step(m));
            }
        }
    }

    /** Cuts the network into the given groups; nodes named in no group are each isolated alone. */
    void partition(List<Set<Long>> cut) {
        groups.clear();
        int g = 0;
        for (Set<Long> group : cut) {
            for (long id : group) {
                if (groups.put(id, g) != null) {
                    throw new ScriptException("node " + id + " is in two groups");
                }
            }
            g++;
        }
        for (long id : nodes.keySet()) {
            if (!groups.containsKey(id)) {
                groups.put(id, g++);
            }
        }
    }

    void heal() {
        groups.clear();
    }

    boolean connected(long a, long b) {
        return groups.isEmpty() || groups.get(a).equals(groups.get(b));
    }
}
