package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.testkit.SimScheduler;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One seeded run of the fault simulator over the real runtime: three {@link DefaultRaftNode}s (event loop,
 * log writer, applier, snapshot workers) on the {@link SimScheduler}, a {@link SimWire} that delays,
 * reorders, drops and duplicates messages, partitions, crashes and restarts from storage, snapshots and
 * compaction, and clients writing and reading at the linearizable and lease levels. It checks election
 * safety and state machine safety as it goes and returns the client history for the linearizability check.
 */
final class EngineSimulation {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SERVERS = 3;
    private static final int CLIENTS = 5;
    private static final String[] KEYS = {"a", "b", "c"};

    /** What a run produced. */
    record Result(
            List<Operation<KvModel.Input, KvModel.Output>> history,
            List<String> violations,
            List<String> events,
            Map<Long, String> finalStates,
            int acknowledged) {}

    private final long seed;
    private final boolean plantStaleReads;
    private final SplittableRandom random;
    private final SimScheduler scheduler = new SimScheduler();
    private final SimWire wire;
    private final Map<Long, MemoryLogStorage> logs = new LinkedHashMap<>();
    private final Map<Long, MemorySnapshotStore> stores = new LinkedHashMap<>();
    private final Map<Long, DefaultRaftNode> nodes = new LinkedHashMap<>();
    private final Map<Long, SimKvMachine> machines = new LinkedHashMap<>();
    private final Map<Long, Long> downUntil = new HashMap<>();
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, ByteString> appliedAt = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<Operation<KvModel.Input, KvModel.Output>> history = new ArrayList<>();
    private final Client[] clients = new Client[CLIENTS];
    private final boolean applyOnLoop;
    private int acknowledged;

    /** A client with at most one operation outstanding. */
    private final class Client {
        final int id;
        long target = 1 + random.nextInt(SERVERS);
        CompletableFuture<ByteString> pending;
        KvModel.Input input;
        boolean write;
        long callNanos;

        Client(int id) {
            this.id = id;
        }
    }

    EngineSimulation(long seed, boolean plantStaleReads) {
        this.seed = seed;
        this.plantStaleReads = plantStaleReads;
        this.random = new SplittableRandom(seed);
        this.applyOnLoop = random.nextBoolean();
        double drop = random.nextDouble() * 0.1;
        double dup = random.nextDouble() * 0.05;
        this.wire = new SimWire(scheduler, random.split(), drop, dup, MS / 10, (1 + random.nextInt(8)) * MS);
        scheduler.start("wire", wire);
        for (long id = 1; id <= SERVERS; id++) {
            logs.put(id, MemoryLogStorage.withVoters(1, 2, 3));
            stores.put(id, new MemorySnapshotStore());
            start(id);
        }
        for (int c = 0; c < CLIENTS; c++) {
            clients[c] = new Client(c);
        }
    }

    private void start(long id) {
        SimKvMachine sm = new SimKvMachine((index, command) -> onApply(id, index, command), applyOnLoop);
        DefaultRaftNode node = (DefaultRaftNode) RaftNode.builder()
                .config(RaftConfig.builder()
                        .nodeId(id)
                        .clusterId("sim")
                        .groupId(1)
                        .tickMillis(10)
                        .electionTicks(10)
                        .heartbeatTicks(1)
                        .snapshot(SnapshotConfig.builder()
                                .everyEntries(40)
                                .trailingEntries(10)
                                .chunkBytes(256)
                                .chunkTimeoutMillis(200)
                                .build())
                        .build())
                .storage(logs.get(id))
                .snapshotStore(stores.get(id))
                .transport(wire.open(id))
                .stateMachine(sm)
                .scheduler(scheduler)
                .random(random.split())
                .build();
        node.addListener(new RaftListener() {
            @Override
            public void onRoleChange(Role role, long term, long leader) {
                if (role == Role.LEADER) {
                    events.add(scheduler.nanoTime() / MS + "ms " + id + " leads term " + term);
                    Long earlier = leaderOfTerm.putIfAbsent(term, id);
                    if (earlier != null && earlier != id) {
                        violations.add("election safety: " + earlier + " and " + id + " both led term " + term);
                    }
                }
            }
        });
        machines.put(id, sm);
        nodes.put(id, node);
        node.start();
    }

    private void onApply(long server, long index, ByteString command) {
        ByteString earlier = appliedAt.putIfAbsent(index, command);
        if (earlier != null && !earlier.equals(command)) {
            violations.add("state machine safety: server " + server + " applied '" + command.toStringUtf8() + "' at "
                    + index + " where another applied '" + earlier.toStringUtf8() + "'");
        }
    }

    /** Runs {@code steps} steps of 2 ms with faults and clients, then heals and lets the cluster settle. */
    Result run(int steps) {
        for (int step = 0; step < steps; step++) {
            faults();
            for (Client c : clients) {
                client(c);
            }
            scheduler.runFor(2 * MS);
        }
        wire.heal();
        for (long id = 1; id <= SERVERS; id++) {
            if (!nodes.containsKey(id)) {
                start(id);
            }
        }
        scheduler.runFor(Long.getLong("raft.engine.settleMillis", 5_000) * MS);
        for (Map.Entry<Long, DefaultRaftNode> e : nodes.entrySet()) {
            CompletableFuture<io.raftmanager.NodeStatus> s = e.getValue().status();
            scheduler.runUntilIdle();
            events.add("final " + e.getKey() + ": " + s.join());
        }
        for (Client c : clients) {
            client(c); // records what completed meanwhile
            if (c.pending != null) {
                record(c, null, null);
            }
        }
        Map<Long, String> states = new LinkedHashMap<>();
        machines.forEach((id, m) -> states.put(id, m.state()));
        nodes.values().forEach(RaftNode::close);
        return new Result(history, violations, events, states, acknowledged);
    }

    private void faults() {
        long now = scheduler.nanoTime();
        downUntil.entrySet().removeIf(e -> {
            if (now >= e.getValue()) {
                start(e.getKey());
                events.add(now / MS + "ms restart " + e.getKey());
                return true;
            }
            return false;
        });
        int r = random.nextInt(1000);
        if (r < 4) {
            long victim = 1 + random.nextInt(SERVERS);
            wire.isolate(victim, List.of(1L, 2L, 3L));
            events.add(now / MS + "ms isolate " + victim);
        } else if (r < 6) {
            long from = 1 + random.nextInt(SERVERS);
            long to = 1 + random.nextInt(SERVERS);
            if (from != to) {
                wire.cut(from, to);
                events.add(now / MS + "ms cut " + from + "->" + to);
            }
        } else if (r < 14) {
            wire.heal();
        } else if (r < 17 && downUntil.isEmpty()) {
            long victim = 1 + random.nextInt(SERVERS);
            nodes.remove(victim).close();
            machines.remove(victim);
            downUntil.put(victim, now + (50 + random.nextInt(500)) * MS);
            events.add(now / MS + "ms crash " + victim);
        }
    }

    private void client(Client c) {
        long now = scheduler.nanoTime();
        if (c.pending != null) {
            if (c.pending.isDone()) {
                try {
                    record(c, c.pending.join(), null);
                } catch (CompletionException e) {
                    record(c, null, e.getCause());
                }
            } else if (now - c.callNanos > 1_000 * MS) {
                record(c, null, null); // timed out: the outcome is unknown
            }
            return;
        }
        if (random.nextInt(3) != 0) {
            return;
        }
        DefaultRaftNode node = nodes.get(c.target);
        if (node == null) {
            c.target = 1 + random.nextInt(SERVERS);
            return;
        }
        String key = KEYS[random.nextInt(KEYS.length)];
        int kind = random.nextInt(10);
        c.callNanos = now;
        if (kind < 4) {
            String v = Long.toString(random.nextInt(1000));
            c.input = KvModel.put(key, v);
            c.write = true;
            c.pending = node.propose(ByteString.copyFromUtf8("PUT " + key + " " + v));
        } else if (kind < 7) {
            c.input = KvModel.incr(key, 1);
            c.write = true;
            c.pending = node.propose(ByteString.copyFromUtf8("INCR " + key + " 1"));
        } else {
            c.input = KvModel.get(key);
            c.write = false;
            ReadConsistency level = plantStaleReads
                    ? ReadConsistency.STALE
                    : kind == 9 ? ReadConsistency.LEASE : ReadConsistency.LINEARIZABLE;
            c.pending = node.read(ByteString.copyFromUtf8(key), level);
        }
    }

    private void record(Client c, ByteString result, Throwable failure) {
        long now = scheduler.nanoTime();
        if (result != null) {
            String v = result.toStringUtf8();
            KvModel.Output out = c.write
                    ? (c.input.kind() == KvModel.Kind.PUT ? KvModel.Output.done() : KvModel.Output.value(v))
                    : KvModel.Output.value(v.equals(SimKvMachine.ABSENT) ? null : v);
            history.add(Operation.ok(c.id, c.input, out, c.callNanos, now));
            if (c.write) {
                acknowledged++;
            }
        } else if (!c.write || notApplied(failure)) {
            history.add(Operation.failed(c.id, c.input, c.callNanos, now));
            if (failure instanceof NotLeaderException nl && nl.leaderHint().isPresent()) {
                c.target = nl.leaderHint().getAsLong();
            } else {
                c.target = 1 + random.nextInt(SERVERS);
            }
        } else {
            history.add(Operation.unknown(c.id, c.input, c.callNanos));
            c.target = 1 + random.nextInt(SERVERS);
        }
        c.pending = null;
    }

    /** The outcomes the API promises were never applied; anything else may have been. */
    private static boolean notApplied(Throwable t) {
        return t instanceof NotLeaderException
                || t instanceof OverloadedException
                || t instanceof ProposalDroppedException;
    }

    long seed() {
        return seed;
    }
}
