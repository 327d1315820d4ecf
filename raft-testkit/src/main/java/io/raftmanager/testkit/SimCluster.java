package io.raftmanager.testkit;

import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.node.NodeMetrics;
import io.raftmanager.node.Scheduler;
import io.raftmanager.node.Worker;
import io.raftmanager.node.WorkerHandle;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * A deterministic cluster of real {@link RaftNode}s running your {@link StateMachine}, for tests. Every node
 * is the production runtime (event loop, log writer, applier, futures), but all of them run on the calling
 * thread under a {@link SimScheduler} with virtual time, over a simulated network with seeded delays. The
 * same seed gives the same run, so a failure found by a random seed replays exactly.
 *
 * <p>Faults: partitions and cut links ({@link #isolate}, {@link #partition}, {@link #cut}, {@link #heal}),
 * message loss ({@link #messageLoss}), crashes and restarts from the node's log and snapshots ({@link
 * #crash}, {@link #restart}), and a failing disk ({@link #failDisk}). Time passes only in {@link #runFor}
 * and {@link #await}.
 *
 * <p>Record what clients see with a {@link ClientHistory} ({@link #history}) and check it with the
 * linearizability checker against a {@link io.raftmanager.testkit.linearizability.Model} of your service.
 *
 * <pre>{@code
 * try (SimCluster cluster = SimCluster.builder().nodes(3).seed(42).stateMachine(id -> new MyMachine()).build()) {
 *     long leader = cluster.awaitLeader();
 *     ByteString result = cluster.await(cluster.node(leader).propose(command), Duration.ofSeconds(5)).join();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: drive it from one thread (the test's).
 */
public final class SimCluster implements AutoCloseable {
    private static final Duration STEP = Duration.ofMillis(5);

    private final SimScheduler scheduler = new SimScheduler();
    private final SplittableRandom random;
    private final SimNetwork network;
    private final LongFunction<? extends StateMachine> machines;
    private final UnaryOperator<RaftConfig.Builder> config;
    private final LongFunction<? extends NodeMetrics> metrics;
    private final List<Long> ids = new ArrayList<>();
    private final Map<Long, FaultyLogStorage> storages = new LinkedHashMap<>();
    private final Map<Long, MemorySnapshotStore> snapshots = new LinkedHashMap<>();
    private final Map<Long, RaftNode> nodes = new LinkedHashMap<>();
    private final Map<Long, StateMachine> running = new LinkedHashMap<>();
    private final Map<Long, Role> roles = new LinkedHashMap<>();
    private final List<String> divergences = new ArrayList<>();

    private SimCluster(Builder b) {
        this.random = new SplittableRandom(b.seed);
        this.machines = b.machines;
        this.config = b.config;
        this.metrics = b.metrics;
        this.network = new SimNetwork(scheduler, random.split(), b.minDelay.toNanos(), b.maxDelay.toNanos());
        scheduler.start("network", network);
        long[] voters = new long[b.nodes];
        for (int i = 0; i < b.nodes; i++) {
            voters[i] = i + 1;
        }
        for (long id : voters) {
            ids.add(id);
            storages.put(id, new FaultyLogStorage(MemoryLogStorage.withVoters(voters)));
            snapshots.put(id, new MemorySnapshotStore());
        }
        for (long id : voters) {
            start(id);
        }
    }

    /** A new builder; {@link Builder#stateMachine} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ids of every server, running or crashed: 1 to the cluster size. */
    public List<Long> ids() {
        return List.copyOf(ids);
    }

    /**
     * The running node {@code id}.
     *
     * @throws IllegalStateException if it is crashed
     */
    public RaftNode node(long id) {
        RaftNode n = nodes.get(id);
        if (n == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return n;
    }

    /**
     * The state machine node {@code id} currently runs (a new one from your factory after each restart).
     *
     * @throws IllegalStateException if it is crashed
     */
    public StateMachine stateMachine(long id) {
        node(id);
        return running.get(id);
    }

    /**
     * Whether node {@code id} runs: it was not crashed (or was restarted since) and did not stop itself
     * after a failure, such as a disk that failed under it.
     */
    public boolean isRunning(long id) {
        reapStopped();
        return nodes.containsKey(id);
    }

    /** The servers that currently believe they lead, in id order (more than one during a partition). */
    public List<Long> leaders() {
        reapStopped();
        List<Long> out = new ArrayList<>();
        roles.forEach((id, role) -> {
            if (role == Role.LEADER && nodes.containsKey(id)) {
                out.add(id);
            }
        });
        return out;
    }

    /** A running server that believes it leads, if any (the highest id when several do). */
    public Optional<Long> leader() {
        List<Long> l = leaders();
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(l.size() - 1));
    }

    /**
     * Runs until some server leads, for at most 10 seconds of virtual time.
     *
     * @return its id
     * @throws AssertionError if no server became leader in time
     */
    public long awaitLeader() {
        for (long waited = 0; waited <= Duration.ofSeconds(10).toNanos(); waited += STEP.toNanos()) {
            Optional<Long> l = leader();
            if (l.isPresent()) {
                return l.get();
            }
            runFor(STEP);
        }
        throw new AssertionError("no leader within 10 s of virtual time");
    }

    /** Lets {@code duration} of virtual time pass, running every node, message delivery and timer due. */
    public void runFor(Duration duration) {
        scheduler.runFor(duration.toNanos());
    }

    /**
     * Runs virtual time until {@code future} completes, and returns it (completed normally or not).
     *
     * @throws AssertionError if it has no outcome within {@code max} of virtual time
     */
    public <T> CompletableFuture<T> await(CompletableFuture<T> future, Duration max) {
        long step = STEP.toNanos();
        for (long waited = 0; !future.isDone() && waited < max.toNanos(); waited += step) {
            scheduler.runFor(step);
        }
        if (!future.isDone()) {
            throw new AssertionError("no outcome within " + max.toMillis() + " ms of virtual time");
        }
        return future;
    }

    /** Virtual time in nanoseconds since the cluster was built. */
    public long nanoTime() {
        return scheduler.nanoTime();
    }

    /** The cluster's seeded random source, for the test's own choices (which node, which key). */
    public SplittableRandom random() {
        return random;
    }

    /** Cuts node {@code id} off from every other server, both ways. */
    public void isolate(long id) {
        for (long other : ids) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    /** Splits the cluster in two: {@code side} and the rest can no longer exchange messages. */
    public void partition(Collection<Long> side) {
        Set<Long> a = Set.copyOf(side);
        for (long x : ids) {
            for (long y : ids) {
                if (a.contains(x) != a.contains(y)) {
                    cut(x, y);
                }
            }
        }
    }

    /** Drops every message from {@code from} to {@code to} (one direction) until {@link #heal}. */
    public void cut(long from, long to) {
        network.cut(from, to);
    }

    /** Restores every link cut by {@link #isolate}, {@link #partition} or {@link #cut}. */
    public void heal() {
        network.heal();
    }

    /** Drops each message with probability {@code rate} (0 to 1) from now on. */
    public void messageLoss(double rate) {
        network.lossRate(rate);
    }

    /**
     * Crashes node {@code id}: it stops at once and its in-memory state, including its state machine, is
     * gone; its log, term, vote and snapshots stay on its simulated disk for {@link #restart}. Futures of
     * its pending operations fail as they would in a process that died.
     */
    public void crash(long id) {
        RaftNode n = node(id);
        nodes.remove(id);
        n.close();
        running.remove(id);
        roles.remove(id);
        scheduler.runUntilIdle();
    }

    /**
     * Starts node {@code id} again from its disk, with a new state machine from the factory, and with a
     * healthy disk (see {@link #failDisk}).
     *
     * @throws IllegalStateException if it is running
     */
    public void restart(long id) {
        if (isRunning(id)) {
            throw new IllegalStateException("node " + id + " is running; crash it first");
        }
        storages.get(id).failing(false);
        start(id);
    }

    /**
     * Makes node {@code id}'s disk fail: every log write from now on throws {@link
     * io.raftmanager.spi.StorageException} and stores nothing, until the node is {@link #restart}ed. The
     * node must stop acknowledging rather than lose writes.
     */
    public void failDisk(long id) {
        storages.get(id).failing(true);
    }

    /**
     * Divergences reported by nodes' consistency checks (see {@link RaftListener#onDivergence}), one line
     * each; a correct, deterministic state machine never has any.
     */
    public List<String> divergences() {
        return List.copyOf(divergences);
    }

    /** A recorder of client operations against this cluster, through {@code codec}. */
    public <I, O> ClientHistory<I, O> history(ClientHistory.Codec<I, O> codec) {
        return new ClientHistory<>(this, codec);
    }

    /** Treats a node that stopped itself after a failure as crashed: it is down until restarted. */
    private void reapStopped() {
        for (Long id : List.copyOf(nodes.keySet())) {
            CompletableFuture<?> probe = nodes.get(id).status();
            if (probe.isCompletedExceptionally()) {
                crash(id);
            }
        }
    }

    /** Closes every running node. */
    @Override
    public void close() {
        for (RaftNode n : nodes.values()) {
            n.close();
        }
        nodes.clear();
        scheduler.runUntilIdle();
    }

    private void start(long id) {
        StateMachine sm = Objects.requireNonNull(machines.apply(id), "the state machine factory returned null");
        RaftConfig base = RaftConfig.builder()
                .nodeId(id)
                .clusterId("sim")
                .groupId(1)
                .tickMillis(10)
                .electionTicks(10)
                .heartbeatTicks(1)
                .build();
        RaftConfig c = config.apply(base.toBuilder()).nodeId(id).build();
        RaftNode node = RaftNode.builder()
                .config(c)
                .storage(storages.get(id))
                .snapshotStore(snapshots.get(id))
                .transport(network.transport(id))
                .stateMachine(sm)
                .scheduler(schedulerOf(id))
                .random(random.split())
                .metrics(Objects.requireNonNull(metrics.apply(id), "the metrics factory returned null"))
                .build();
        node.addListener(new RaftListener() {
            @Override
            public void onRoleChange(Role role, long term, long leader) {
                if (nodes.get(id) == node) {
                    roles.put(id, role);
                }
            }

            @Override
            public void onDivergence(long server, long index, long expected, long reported) {
                divergences.add("node " + id + " saw server " + server + " diverge at index " + index);
            }
        });
        nodes.put(id, node);
        running.put(id, sm);
        roles.put(id, Role.FOLLOWER);
        node.start();
    }

    /** The shared scheduler, with the workers of a crashed node stopped for good. */
    private Scheduler schedulerOf(long id) {
        return new Scheduler() {
            @Override
            public WorkerHandle start(String name, Worker worker) {
                return scheduler.start(id + "/" + name, worker);
            }

            @Override
            public long nanoTime() {
                return scheduler.nanoTime();
            }

            @Override
            public long currentTimeMillis() {
                return scheduler.currentTimeMillis();
            }
        };
    }

    /** Builds a {@link SimCluster}. */
    public static final class Builder {
        private int nodes = 3;
        private long seed = 1;
        private LongFunction<? extends StateMachine> machines;
        private UnaryOperator<RaftConfig.Builder> config = UnaryOperator.identity();
        private LongFunction<? extends NodeMetrics> metrics = id -> NodeMetrics.NOOP;
        private Duration minDelay = Duration.ofMillis(1);
        private Duration maxDelay = Duration.ofMillis(5);

        private Builder() {}

        /** How many voting servers, 1 to 9; default 3. */
        public Builder nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("nodes must be 1 to 9: " + count);
            }
            nodes = count;
            return this;
        }

        /** The seed every random choice derives from (elections, delays, loss); default 1. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Makes a fresh state machine for server {@code id}, at start and at every restart. Required. */
        public Builder stateMachine(LongFunction<? extends StateMachine> factory) {
            machines = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Adjusts each server's configuration (snapshot policy, timeouts); the node id is set by the cluster.
         * By default ticks are 10 ms, elections 10 ticks, heartbeats every tick.
         */
        public Builder config(UnaryOperator<RaftConfig.Builder> tweak) {
            config = Objects.requireNonNull(tweak, "tweak");
            return this;
        }

        /** Where server {@code id} reports its metrics (at start and at every restart); default nowhere. */
        public Builder metrics(LongFunction<? extends NodeMetrics> factory) {
            metrics = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Each message is delayed by a uniformly random time in [min, max]; default 1 to 5 ms. */
        public Builder messageDelay(Duration min, Duration max) {
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("need 0 <= min <= max: " + min + ", " + max);
            }
            minDelay = min;
            maxDelay = max;
            return this;
        }

        /**
         * Builds and starts the cluster (no time has passed yet: call {@link SimCluster#awaitLeader}).
         *
         * @throws IllegalStateException if no state machine factory was given
         */
        public SimCluster build() {
            if (machines == null) {
                throw new IllegalStateException("stateMachine(factory) is required");
            }
            return new SimCluster(this);
        }
    }
}
