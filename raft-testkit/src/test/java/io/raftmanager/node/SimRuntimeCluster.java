package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.raftmanager.NodeStatus;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.StorageFullException;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.testkit.SimScheduler;
import io.raftmanager.transport.local.LocalNetwork;
import io.raftmanager.transport.local.LocalTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Three (or more) real runtimes on one thread under {@link SimScheduler}: virtual time, seeded elections,
 * links cut through the {@link LocalNetwork}, nodes closed and restarted from their storage. Deterministic.
 */
final class SimRuntimeCluster implements AutoCloseable {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    final SimScheduler scheduler = new SimScheduler();
    final LocalNetwork network = new LocalNetwork();
    final Map<Long, MemoryLogStorage> storages = new LinkedHashMap<>();
    final Map<Long, MemorySnapshotStore> snapshotStores = new LinkedHashMap<>();
    final Map<Long, StateMachine> machines = new LinkedHashMap<>();
    final Map<Long, DefaultRaftNode> nodes = new LinkedHashMap<>();
    final List<String> divergences = new ArrayList<>();
    /** Every message the servers sent while {@link #recordSent} is on, in order (all on the test thread). */
    final List<RaftMessage> sent = new ArrayList<>();

    boolean recordSent;
    /** Servers whose process is stalled (GC, SIGSTOP): their workers do not run while time passes. */
    final java.util.Set<Long> stalled = new java.util.HashSet<>();
    /** Servers whose disk stalls: their log writer does not run (its writes neither finish nor fail). */
    final java.util.Set<Long> stalledDisks = new java.util.HashSet<>();
    /** Servers whose disk is full: their storage refuses writes and compactions with StorageFullException. */
    final java.util.Set<Long> fullDisks = new java.util.HashSet<>();
    /** Per server, how far its wall clock ({@link Scheduler#currentTimeMillis()}) is off; read live. */
    final Map<Long, Long> wallClockOffsetMillis = new LinkedHashMap<>();
    /** Per server, the last value of its disk-full gauge. */
    final Map<Long, Boolean> diskFullMetric = new LinkedHashMap<>();
    /** Per server, how often it handed leadership off for a full or stalled disk. */
    final Map<Long, Integer> diskStallStepDowns = new LinkedHashMap<>();
    /** Per server, how often its metrics recorded a divergence. */
    final Map<Long, Integer> divergenceMetric = new LinkedHashMap<>();

    private final SplittableRandom random;
    private final UnaryOperator<RaftConfig.Builder> tweak;
    private final LongFunction<StateMachine> machineFor;

    SimRuntimeCluster(
            int size, long seed, UnaryOperator<RaftConfig.Builder> tweak, LongFunction<StateMachine> machineFor) {
        this.random = new SplittableRandom(seed);
        this.tweak = tweak;
        this.machineFor = machineFor;
        long[] ids = new long[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        for (long id : ids) {
            storages.put(id, MemoryLogStorage.withVoters(ids));
            snapshotStores.put(id, new MemorySnapshotStore());
        }
        for (long id : ids) {
            start(id);
        }
    }

    SimRuntimeCluster(int size, long seed, UnaryOperator<RaftConfig.Builder> tweak) {
        this(size, seed, tweak, id -> new CounterStateMachine());
    }

    DefaultRaftNode start(long id) {
        StateMachine sm = machineFor.apply(id);
        network.transport(id).reopen();
        RaftConfig config = tweak.apply(LocalCluster.config(id).toBuilder()).build();
        DefaultRaftNode node = (DefaultRaftNode) RaftNode.builder()
                .config(config)
                .storage(fillable(id, storages.get(id)))
                .snapshotStore(snapshotStores.get(id))
                .transport(recording(id))
                .stateMachine(sm)
                .scheduler(schedulerOf(id))
                .random(random.split())
                .metrics(new NodeMetrics() {
                    @Override
                    public void recordDivergence() {
                        divergenceMetric.merge(id, 1, Integer::sum);
                    }

                    @Override
                    public void diskFull(boolean full) {
                        diskFullMetric.put(id, full);
                    }

                    @Override
                    public void recordDiskStallStepDown() {
                        diskStallStepDowns.merge(id, 1, Integer::sum);
                    }
                })
                .build();
        node.addListener(new RaftListener() {
            @Override
            public void onDivergence(long server, long index, long expected, long reported) {
                divergences.add(id + ": " + server + " at " + index);
            }
        });
        machines.put(id, sm);
        nodes.put(id, node);
        node.start();
        return node;
    }

    /** Server {@code id}'s storage, refusing every write while its id is in {@link #fullDisks}. */
    private LogStorage fillable(long id, MemoryLogStorage s) {
        return new LogStorage() {
            @Override
            public PersistentState initialState() {
                return s.initialState();
            }

            @Override
            public void write(LogBatch batch) {
                refuseIfFull();
                s.write(batch);
            }

            @Override
            public void compact(long upToIndex) {
                refuseIfFull();
                s.compact(upToIndex);
            }

            private void refuseIfFull() {
                if (fullDisks.contains(id)) {
                    throw new StorageFullException("simulated: no space left on server " + id + "'s disk");
                }
            }

            @Override
            public void close() {
                s.close();
            }

            @Override
            public long firstIndex() {
                return s.firstIndex();
            }

            @Override
            public long lastIndex() {
                return s.lastIndex();
            }

            @Override
            public long term(long index) {
                return s.term(index);
            }

            @Override
            public List<Entry> entries(long from, long toExclusive, long maxBytes) {
                return s.entries(from, toExclusive, maxBytes);
            }

            @Override
            public SnapshotMeta snapshot() {
                return s.snapshot();
            }
        };
    }

    /** Server {@code id}'s transport, recording what it sends in {@link #sent}. */
    private Transport recording(long id) {
        LocalTransport t = network.transport(id);
        return new Transport() {
            @Override
            public void start(InboundHandler handler) {
                t.start(handler);
            }

            @Override
            public void send(RaftMessage message) {
                if (recordSent) {
                    sent.add(message);
                }
                t.send(message);
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    /** The shared virtual-time scheduler, with this server's wall clock offset applied. */
    private Scheduler schedulerOf(long id) {
        return new Scheduler() {
            @Override
            public WorkerHandle start(String name, Worker worker) {
                boolean writer = name.endsWith("-log-writer");
                return scheduler.start(name, new Worker() {
                    @Override
                    public int doWork() {
                        return stalled.contains(id) || (writer && stalledDisks.contains(id)) ? 0 : worker.doWork();
                    }

                    @Override
                    public long idleNanos() {
                        if (writer && stalledDisks.contains(id)) {
                            return MS; // looks again soon: the stall may end without anything waking us
                        }
                        return stalled.contains(id) ? Long.MAX_VALUE : worker.idleNanos();
                    }

                    @Override
                    public boolean blocksNext() {
                        return worker.blocksNext();
                    }

                    @Override
                    public void onClose() {
                        worker.onClose();
                    }
                });
            }

            @Override
            public long nanoTime() {
                return scheduler.nanoTime();
            }

            @Override
            public long currentTimeMillis() {
                return scheduler.currentTimeMillis() + wallClockOffsetMillis.getOrDefault(id, 0L);
            }
        };
    }

    void stop(long id) {
        nodes.remove(id).close();
        network.transport(id).close();
        scheduler.runUntilIdle();
    }

    /** Stops every running server, then starts servers 1..{@code size} again from their storage. */
    void restartAll(int size) {
        for (long id : nodes.keySet().toArray(new Long[0])) {
            stop(id);
        }
        for (long id = 1; id <= size; id++) {
            start(id);
        }
    }

    void runFor(long millis) {
        scheduler.runFor(millis * MS);
    }

    /** Runs until {@code f} completes (or fails the test after {@code millis} of virtual time). */
    <T> CompletableFuture<T> await(CompletableFuture<T> f, long millis) {
        for (long waited = 0; !f.isDone() && waited < millis; waited += 5) {
            runFor(5);
        }
        if (!f.isDone()) {
            fail("no outcome within " + millis + " ms of virtual time");
        }
        return f;
    }

    NodeStatus status(long id) {
        CompletableFuture<NodeStatus> s = nodes.get(id).status();
        scheduler.runUntilIdle();
        return s.join();
    }

    /** The id of the leader, running until one is known and acknowledged by nobody else claiming it. */
    long awaitLeader(long millis) {
        for (long waited = 0; waited <= millis; waited += 10) {
            for (long id : nodes.keySet()) {
                if (status(id).role() == Role.LEADER) {
                    return id;
                }
            }
            runFor(10);
        }
        return fail("no leader within " + millis + " ms");
    }

    long leaderOrZero() {
        for (long id : nodes.keySet()) {
            if (status(id).role() == Role.LEADER) {
                return id;
            }
        }
        return 0;
    }

    /** The counter value at {@code id} (a {@link CounterStateMachine} or a subclass). */
    long value(long id) {
        return Long.parseLong(machines.get(id).query(ByteString.EMPTY).toStringUtf8());
    }

    @Override
    public void close() {
        nodes.values().forEach(RaftNode::close);
        nodes.clear();
    }
}
