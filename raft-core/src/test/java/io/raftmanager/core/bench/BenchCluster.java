package io.raftmanager.core.bench;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.Role;
import io.raftmanager.core.Raft;
import io.raftmanager.core.Ready;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A cluster of Raft cores wired together in memory and driven on the calling thread, with no I/O: each
 * node's log is a {@link MemoryLogStorage}, every {@link Ready} is carried out at once (write, send, apply,
 * advance) and a message is "sent" by queueing it for the recipient's {@link Raft#step}. The harness of
 * {@link CoreThroughputBenchmark}; it allocates nothing of its own per message.
 */
public final class BenchCluster {
    static final String CLUSTER = "bench-cluster";

    /** Compact a node's storage once it holds this many entries more than it must keep. */
    static final long COMPACT_THRESHOLD = 1 << 16;

    /**
     * Entries kept behind the smallest applied index when compacting: the leader may still read a few
     * below it (the previous term of a follower's next index) while acknowledgements are in flight.
     */
    static final long COMPACT_MARGIN = 1 << 12;

    /** One server: the core, its storage, and what its state machine has applied. */
    public static final class Node {
        public final long id;
        public final MemoryLogStorage storage;
        public final Raft raft;
        /** Index of the last applied entry. */
        public long appliedIndex;
        /** Number of applied entries of type NORMAL (proposals, not the leader's no-op). */
        public long appliedNormal;
        /** Bytes of command data applied. */
        public long appliedBytes;
        /** Index up to which the storage was last compacted. */
        long compactedTo;

        Node(long id, RaftConfig config, long[] voters) {
            this.id = id;
            this.storage = MemoryLogStorage.withVoters(voters);
            this.raft = Raft.create(config, storage, storage.initialState(), new SplittableRandom(id));
        }
    }

    private final Node[] nodes; // indexed by id; slot 0 unused
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>(1024);
    private long delivered;

    /** A cluster of servers 1..size with production defaults (PreVote and CheckQuorum on). */
    public BenchCluster(int size) {
        long[] voters = new long[size];
        for (int i = 0; i < size; i++) {
            voters[i] = i + 1;
        }
        nodes = new Node[size + 1];
        for (int i = 1; i <= size; i++) {
            RaftConfig config = RaftConfig.builder()
                    .nodeId(i)
                    .clusterId(CLUSTER)
                    .groupId(1)
                    .storageRecovery(false)
                    .build();
            nodes[i] = new Node(i, config, voters);
        }
    }

    /**
     * Makes node {@code id} campaign and delivers messages until the cluster is quiet; it must win. On
     * return every server has applied the new leader's no-op.
     */
    public Node elect(long id) {
        Node n = node(id);
        n.raft.campaign();
        process(n);
        drain();
        // One heartbeat round: the core tells a follower whose probe was outstanding when the no-op
        // committed about that commit only through a heartbeat (see LeaderBehavior.handleAppendResponse).
        n.raft.tick();
        process(n);
        drain();
        if (n.raft.role() != Role.LEADER) {
            throw new IllegalStateException("node " + id + " did not become leader: " + n.raft.status());
        }
        return n;
    }

    public Node node(long id) {
        return nodes[(int) id];
    }

    public int size() {
        return nodes.length - 1;
    }

    /** Messages delivered so far. */
    public long delivered() {
        return delivered;
    }

    /** Messages sent but not yet delivered. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Proposes one command on {@code leader} and carries out the resulting Ready; returns its index. */
    public long propose(Node leader, ByteString command) {
        long index = leader.raft.propose(command).index();
        process(leader);
        return index;
    }

    /** Proposes a batch on {@code leader} and carries out the resulting Ready; returns the last index. */
    public long proposeBatch(Node leader, List<ByteString> commands) {
        List<EntryId> ids = leader.raft.proposeBatch(commands);
        process(leader);
        return ids.get(ids.size() - 1).index();
    }

    /**
     * Delivers messages until {@code node} has applied {@code index}. Messages still queued at that point
     * stay queued for the next call (a loaded leader does not wait for the cluster to go quiet).
     */
    public void pumpUntilApplied(Node node, long index) {
        while (node.appliedIndex < index) {
            if (!deliverOne()) {
                throw new IllegalStateException(
                        "cluster went quiet before node " + node.id + " applied " + index + ": " + node.raft.status());
            }
        }
    }

    /** Delivers the messages queued now, but not the ones they cause: one network round trip's worth. */
    public void pumpRound() {
        for (int n = inFlight.size(); n > 0; n--) {
            deliverOne();
        }
    }

    /** Delivers messages until none is left. */
    public void drain() {
        while (deliverOne()) {
            // keep going
        }
    }

    private boolean deliverOne() {
        RaftMessage m = inFlight.poll();
        if (m == null) {
            return false;
        }
        delivered++;
        Node to = nodes[(int) m.getTo()];
        to.raft.step(m);
        process(to);
        return true;
    }

    /** Carries out every pending Ready of {@code n}, in the order {@link Ready} prescribes. */
    void process(Node n) {
        Raft raft = n.raft;
        while (raft.hasReady()) {
            Ready rd = raft.ready();
            enqueue(rd.messages());
            if (rd.hasPersistWork()) {
                n.storage.write(new LogBatch(rd.hardState(), rd.entriesToPersist(), rd.mustSync()));
            }
            enqueue(rd.messagesAfterPersist());
            List<Entry> apply = rd.entriesToApply();
            for (int i = 0, size = apply.size(); i < size; i++) {
                Entry e = apply.get(i);
                if (e.getType() == EntryType.ENTRY_TYPE_NORMAL) {
                    n.appliedNormal++;
                    n.appliedBytes += e.getData().size();
                }
                n.appliedIndex = e.getIndex();
            }
            raft.advance(rd);
        }
        maybeCompact(n);
    }

    private void enqueue(List<RaftMessage> messages) {
        for (int i = 0, size = messages.size(); i < size; i++) {
            inFlight.addLast(messages.get(i));
        }
    }

    /** Drops applied entries, as snapshots would, so a long run does not fill the heap. */
    private void maybeCompact(Node n) {
        if (n.appliedIndex - n.compactedTo < COMPACT_THRESHOLD + COMPACT_MARGIN) {
            return;
        }
        long upTo = Long.MAX_VALUE;
        for (int i = 1; i < nodes.length; i++) {
            upTo = Math.min(upTo, nodes[i].appliedIndex);
        }
        upTo -= COMPACT_MARGIN;
        if (upTo >= n.compactedTo + COMPACT_THRESHOLD) {
            n.storage.compact(upTo);
            n.compactedTo = upTo;
        }
    }
}
