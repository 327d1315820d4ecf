package io.raftmanager;

import io.raftmanager.node.DefaultRaftNode;
import io.raftmanager.node.NodeMetrics;
import io.raftmanager.node.Scheduler;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Assembles a {@link RaftNode}. Required: {@link #config}, {@link #storage}, {@link #transport} and
 * {@link #stateMachine}; the snapshot store defaults to the storage's companion (see {@link
 * #snapshotStore}); the scheduler (threads and time) and the source of election jitter default to the
 * real ones and can be replaced for deterministic tests.
 *
 * <p><b>Ownership:</b> the node never closes what it is given (storage, snapshot store, transport, state
 * machine, scheduler). Whoever created them closes them, after closing the node; so one storage can
 * outlive a node and be handed to the next one after a restart.
 */
public final class RaftNodeBuilder {
    private RaftConfig config;
    private LogStorage storage;
    private SnapshotStore snapshotStore;
    private Transport transport;
    private StateMachine stateMachine;
    private Scheduler scheduler = Scheduler.threads();
    private RandomGenerator random;
    private NodeMetrics metrics = NodeMetrics.NOOP;

    RaftNodeBuilder() {}

    /** The server's configuration; required. */
    public RaftNodeBuilder config(RaftConfig value) {
        config = value;
        return this;
    }

    /** The group's log on this server; required. Read at {@link #build()}: the node resumes from it. */
    public RaftNodeBuilder storage(LogStorage value) {
        storage = value;
        return this;
    }

    /**
     * Where snapshots are kept. The log is compacted behind snapshots and a restart needs the snapshot the
     * log starts after, so the store must be as durable as the log. Optional when the storage offers a
     * companion store ({@link LogStorage#companionSnapshotStore()}: the in-memory log and the RocksDB engine
     * do), which is then used; {@link #build()} refuses a storage without one if the state machine
     * supports snapshots and no store was given.
     */
    public RaftNodeBuilder snapshotStore(SnapshotStore value) {
        snapshotStore = value;
        return this;
    }

    /** How the node reaches its peers; required. The node starts it. */
    public RaftNodeBuilder transport(Transport value) {
        transport = value;
        return this;
    }

    /** The replicated service; required. */
    public RaftNodeBuilder stateMachine(StateMachine value) {
        stateMachine = value;
        return this;
    }

    /** Threads and time; by default real threads (replace with a simulated scheduler for deterministic tests). */
    public RaftNodeBuilder scheduler(Scheduler value) {
        scheduler = value;
        return this;
    }

    /** The source of election timeout jitter; seed it to make elections reproducible. */
    public RaftNodeBuilder random(RandomGenerator value) {
        random = value;
        return this;
    }

    /** Where the node reports its metrics, for example {@code MicrometerNodeMetrics} (module raft-metrics-micrometer). */
    public RaftNodeBuilder metrics(NodeMetrics value) {
        metrics = value;
        return this;
    }

    /**
     * Creates the node (not started). Storage is read here: the node resumes with the persisted term,
     * vote, log and membership.
     *
     * @throws InvalidConfigException if a required part is missing, or the snapshot store is (see {@link
     *     #snapshotStore})
     */
    public RaftNode build() {
        require(config, "config");
        require(storage, "storage");
        require(transport, "transport");
        require(stateMachine, "stateMachine");
        require(scheduler, "scheduler");
        require(metrics, "metrics");
        RandomGenerator r = Objects.requireNonNullElseGet(random, SplittableRandom::new);
        SnapshotStore snapshots = snapshotStoreFor(storage, snapshotStore, stateMachine);
        return DefaultRaftNode.create(config, storage, snapshots, transport, stateMachine, scheduler, r, metrics);
    }

    /**
     * The store a node uses: the given one, else the storage's companion, else (only for a state machine
     * without snapshots, which never writes one) an unused in-memory store.
     *
     * @throws InvalidConfigException if none was given, the storage has no companion, and the state
     *     machine supports snapshots
     */
    static SnapshotStore snapshotStoreFor(LogStorage storage, SnapshotStore given, StateMachine stateMachine) {
        SnapshotStore snapshots =
                given != null ? given : storage.companionSnapshotStore().orElse(null);
        if (snapshots == null) {
            if (supportsSnapshots(stateMachine)) {
                throw new InvalidConfigException(
                        "snapshotStore",
                        "is required: the state machine supports snapshots, the log is compacted behind them, and "
                                + storage.getClass().getSimpleName() + " offers no companion snapshot store");
            }
            // Never written: without snapshots the log is never compacted and no snapshot can be installed.
            snapshots = new MemorySnapshotStore();
        }
        return snapshots;
    }

    /** Whether the state machine overrides {@link StateMachine#snapshot}, the default of which declines. */
    static boolean supportsSnapshots(StateMachine stateMachine) {
        try {
            return stateMachine.getClass().getMethod("snapshot", long.class).getDeclaringClass() != StateMachine.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("StateMachine declares snapshot(long)", e);
        }
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidConfigException(field, "is required");
        }
    }
}
