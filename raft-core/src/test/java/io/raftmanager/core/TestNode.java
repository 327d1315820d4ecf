package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A core plus an in-memory log, driven synchronously: {@link #processReady()} persists, applies and
 * acknowledges everything the core handed out. The building block of rule tests and scenarios.
 */
public final class TestNode {
    public static final String CLUSTER = "test-cluster";

    public final long id;
    public final MemoryLogStorage storage;
    public final RaftConfig config;
    public final List<Entry> applied = new ArrayList<>();
    public final List<ReadState> readStates = new ArrayList<>();
    public Raft raft;

    private TestNode(long id, RaftConfig config, MemoryLogStorage storage, long seed) {
        this.id = id;
        this.config = config;
        this.storage = storage;
        this.raft = Raft.create(config, storage, storage.initialState(), new SplittableRandom(seed));
    }

    /**
     * The default test configuration for {@code id}: election 10 ticks, heartbeat 1, PreVote, CheckQuorum
     * and storage recovery off (rule tests start from empty logs they mean as intact; the recovery rules
     * have their own tests).
     */
    public static RaftConfig.Builder config(long id) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId(CLUSTER)
                .groupId(1)
                .electionTicks(10)
                .heartbeatTicks(1)
                .preVote(false)
                .checkQuorum(false)
                .storageRecovery(false);
    }

    public static TestNode create(long id, long... voters) {
        return create(id, b -> b, voters);
    }

    public static TestNode create(long id, UnaryOperator<RaftConfig.Builder> tweak, long... voters) {
        return new TestNode(id, tweak.apply(config(id)).build(), MemoryLogStorage.withVoters(voters), id);
    }

    /** Restarts the core from what its storage holds (everything processed so far is durable). */
    public void restart() {
        raft = Raft.create(config, storage, storage.initialState(), new SplittableRandom(id * 31 + 7));
        applied.clear();
    }

    /** The same server restarted on {@code disk} (e.g. a copy taken earlier: a crash lost the writes since). */
    public TestNode restartOn(MemoryLogStorage disk) {
        return new TestNode(id, config, disk, id * 31 + 7);
    }

    /** Carries out every pending Ready fully; returns the messages to send, in order. */
    public List<RaftMessage> processReady() {
        List<RaftMessage> out = new ArrayList<>();
        while (raft.hasReady()) {
            Ready rd = raft.ready();
            out.addAll(rd.messages());
            if (rd.hasPersistWork()) {
                storage.write(rd.toLogBatch());
            }
            out.addAll(rd.messagesAfterPersist());
            applied.addAll(rd.entriesToApply());
            readStates.addAll(rd.readStates());
            raft.advance(rd);
        }
        return out;
    }

    /** Builds a message envelope addressed to this node, as peer {@code from} would send it. */
    public RaftMessage.Builder envelopeFrom(long from, long term) {
        return RaftMessage.newBuilder()
                .setFormatVersion(1)
                .setClusterId(CLUSTER)
                .setGroupId(1)
                .setFrom(from)
                .setTo(id)
                .setTerm(term);
    }

    /** Whether this node's log holds a normal entry carrying {@code data}. */
    public boolean holds(ByteString data) {
        for (long i = raft.log().firstIndex(); i <= raft.log().lastIndex(); i++) {
            for (Entry e : raft.log().slice(i, i + 1, Long.MAX_VALUE)) {
                if (e.getType() == EntryType.ENTRY_TYPE_NORMAL && e.getData().equals(data)) {
                    return true;
                }
            }
        }
        return false;
    }
}
