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
 * {@link #stateMachine}; the scheduler (threads and time) and the source of election jitter default to
 * the real ones and can be replaced for deterministic tests.
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

    public RaftNodeBuilder config(RaftConfig value) {
        config = value;
        return this;
    }

    public RaftNodeBuilder storage(LogStorage value) {
        storage = value;
        return this;
    }

    /**
     * Where snapshots are kept; by default a new {@link MemorySnapshotStore}. With a durable {@link
     * LogStorage} give a durable store (such as {@link io.raftmanager.storage.file.FileSnapshotStore}):
     * the log is compacted behind snapshots, and a restart needs the snapshot the log starts after.
     */
    public RaftNodeBuilder snapshotStore(SnapshotStore value) {
        snapshotStore = value;
        return this;
    }

    public RaftNodeBuilder transport(Transport value) {
        transport = value;
        return this;
    }

    public RaftNodeBuilder stateMachine(StateMachine value) {
        stateMachine = value;
        return this;
    }

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
     * @throws InvalidConfigException if a required part is missing
     */
    public RaftNode build() {
        require(config, "config");
        require(storage, "storage");
        require(transport, "transport");
        require(stateMachine, "stateMachine");
        require(scheduler, "scheduler");
        require(metrics, "metrics");
        RandomGenerator r = Objects.requireNonNullElseGet(random, SplittableRandom::new);
        SnapshotStore snapshots = Objects.requireNonNullElseGet(snapshotStore, MemorySnapshotStore::new);
        return DefaultRaftNode.create(config, storage, snapshots, transport, stateMachine, scheduler, r, metrics);
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidConfigException(field, "is required");
        }
    }
}
