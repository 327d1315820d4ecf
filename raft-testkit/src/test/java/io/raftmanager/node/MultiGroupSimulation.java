package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.NodeStatus;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import io.raftmanager.ServerPlants;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One seeded run of the multi-group simulator: three {@link RaftServer}s on the {@link SimScheduler}, each
 * hosting every one of several groups with coalesced heartbeats, quiescence and node liveness on, over a
 * {@link SimWire} that delays, reorders, drops and duplicates messages (heartbeat batches and keep-alives
 * included), with partitions, one-way cuts, and whole servers crashing and restarting from storage. Clients
 * write and read (linearizable and lease) over random groups. It checks election safety and state machine
 * safety per group as it goes, then heals and checks that every group has a leader, converged, quiesced, and
 * that when the server leading the most groups dies, every group it led elects a new leader within {@link
 * #ELECTION_BOUND_MS}.
 */
final class MultiGroupSimulation {
    static final long MS = 1_000_000L;
    private static final int SERVERS = 3;
    private static final int CLIENTS = 4;
    private static final String[] KEYS = {"a", "b"};
    private static final long WINDOW_MS = 10;
    private static final long LIVENESS_MS = 100;
    private static final long SETTLE_MS = 1_500;
    /**
     * Liveness timeout, then at most two election timeouts (10 ticks of 10 ms, plus jitter, twice for a
     * split vote) and message delays: a quiesced group whose leader dies elects within this.
     */
    static final long ELECTION_BOUND_MS = LIVENESS_MS + 4 * 200;

    /** What a run produced: a history per group, violations, events, final states per group. */
    record Result(
            Map<Long, List<Operation<KvModel.Input, KvModel.Output>>> histories,
            List<String> violations,
            List<String> events,
            int acknowledged,
            long maxElectionMillis,
            int quiescedAtRest) {}

    private final long seed;
    private final int groups;
    private final boolean plantIgnoreSuspects;
    private final SplittableRandom random;
    private final SimScheduler scheduler = new SimScheduler();
    private final SimWire wire;
    private final Map<Long, RaftServer> servers = new TreeMap<>();
    private final Map<String, MemoryLogStorage> logs = new HashMap<>();
    private final Map<String, MemorySnapshotStore> stores = new HashMap<>();
    private final Map<String, SimKvMachine> machines = new HashMap<>();
    private final Map<Long, Long> downUntil = new TreeMap<>();
    private final Map<String, Long> leaderOfTerm = new HashMap<>();
    private final Map<String, ByteString> appliedAt = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final Map<Long, List<Operation<KvModel.Input, KvModel.Output>>> histories = new TreeMap<>();
    private final Client[] clients = new Client[CLIENTS];
    private int acknowledged;
    private boolean issuing = true;
    /** When each group last got a leader (virtual nanos), from the listeners. */
    private final Map<Long, Long> electedAt = new HashMap<>();

    private final class Client {
        final int id;
        long target = 1 + random.nextInt(SERVERS);
        long group;
        CompletableFuture<ByteString> pending;
        KvModel.Input input;
        boolean write;
        long callNanos;

        Client(int id) {
            this.id = id;
        }
    }

    MultiGroupSimulation(long seed, int groups, boolean plantIgnoreSuspects) {
        this.seed = seed;
        this.groups = groups;
        this.plantIgnoreSuspects = plantIgnoreSuspects;
        this.random = new SplittableRandom(seed);
        double drop = random.nextDouble() * 0.1;
        double dup = random.nextDouble() * 0.05;
        this.wire = new SimWire(scheduler, random.split(), drop, dup, MS / 10, (1 + random.nextInt(5)) * MS);
        scheduler.start("wire", wire);
        for (long g = 1; g <= groups; g++) {
            histories.put(g, new ArrayList<>());
            for (long id = 1; id <= SERVERS; id++) {
                logs.put(key(id, g), MemoryLogStorage.withVoters(1, 2, 3));
                stores.put(key(id, g), new MemorySnapshotStore());
            }
        }
        for (long id = 1; id <= SERVERS; id++) {
            start(id);
        }
        for (int c = 0; c < CLIENTS; c++) {
            clients[c] = new Client(c);
        }
    }

    private static String key(long server, long group) {
        return server + "/" + group;
    }

    private void start(long id) {
        RaftServer s = RaftServer.builder()
                .nodeId(id)
                .transport(wire.open(id))
                .scheduler(scheduler)
                .seed(random.nextLong())
                .coalesceHeartbeatsMillis(WINDOW_MS)
                .quiesceIdleGroups(true)
                .nodeLivenessTimeoutMillis(LIVENESS_MS)
                .build();
        if (plantIgnoreSuspects) {
            ServerPlants.ignoreSuspectedServers(s);
        }
        s.start();
        for (long g = 1; g <= groups; g++) {
            long group = g;
            SimKvMachine sm = new SimKvMachine((index, command) -> onApply(id, group, index, command), g % 2 == 0);
            machines.put(key(id, g), sm);
            RaftNode node = s.createGroup(
                    RaftConfig.builder()
                            .nodeId(id)
                            .clusterId("sim")
                            .groupId(g)
                            .tickMillis(10)
                            .electionTicks(10)
                            .heartbeatTicks(1)
                            .snapshot(SnapshotConfig.builder()
                                    .everyEntries(30)
                                    .trailingEntries(10)
                                    .chunkBytes(256)
                                    .chunkTimeoutMillis(200)
                                    .build())
                            .build(),
                    logs.get(key(id, g)),
                    stores.get(key(id, g)),
                    sm);
            node.addListener(new RaftListener() {
                @Override
                public void onRoleChange(Role role, long term, long leader) {
                    if (role == Role.LEADER) {
                        electedAt.put(group, scheduler.nanoTime());
                        Long earlier = leaderOfTerm.putIfAbsent(group + "@" + term, id);
                        if (earlier != null && earlier != id) {
                            violations.add("election safety: group " + group + ": " + earlier + " and " + id
                                    + " both led term " + term);
                        }
                    }
                }
            });
        }
        servers.put(id, s);
    }

    private void crash(long id) {
        servers.remove(id).close();
        for (long g = 1; g <= groups; g++) {
            machines.remove(key(id, g));
        }
    }

    private void onApply(long server, long group, long index, ByteString command) {
        ByteString earlier = appliedAt.putIfAbsent(group + "@" + index, command);
        if (earlier != null && !earlier.equals(command)) {
            violations.add("state machine safety: group " + group + ": server " + server + " applied '"
                    + command.toStringUtf8() + "' at " + index + " where another applied '" + earlier.toStringUtf8()
                    + "'");
        }
    }

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
            if (!servers.containsKey(id)) {
                start(id);
            }
        }
        downUntil.clear();
        scheduler.runFor(SETTLE_MS * MS);
        issuing = false; // from here on, only what the clients already asked
        for (Client c : clients) {
            client(c);
            if (c.pending != null) {
                record(c, null, null);
            }
        }
        checkConverged();
        int quiesced = 0;
        for (RaftServer s : servers.values()) {
            quiesced += s.quiescedGroupCount();
        }
        if (quiesced < SERVERS * groups) {
            StringBuilder awake = new StringBuilder();
            for (long g = 1; g <= groups; g++) {
                for (long id : servers.keySet()) {
                    if (!ServerPlants.quiesced(servers.get(id), g)) {
                        awake.append(" group ")
                                .append(g)
                                .append(" on ")
                                .append(id)
                                .append(": ")
                                .append(status(id, g));
                    }
                }
            }
            violations.add("quiescence: only " + quiesced + " of " + SERVERS * groups + " replicas quiesced "
                    + SETTLE_MS + " ms after the faults ended;" + awake);
        }
        long maxElection = leaderServerDies();
        servers.values().forEach(RaftServer::close);
        return new Result(histories, violations, events, acknowledged, maxElection, quiesced);
    }

    /** Every group has one leader all its replicas follow, and the same state on every replica. */
    private void checkConverged() {
        for (long g = 1; g <= groups; g++) {
            Map<Long, String> states = new LinkedHashMap<>();
            Map<Long, Long> leaders = new LinkedHashMap<>();
            for (long id : servers.keySet()) {
                states.put(id, machines.get(key(id, g)).state());
                leaders.put(id, status(id, g).leader());
            }
            if (states.values().stream().distinct().count() != 1) {
                violations.add("convergence: group " + g + " states " + states);
            }
            if (leaders.values().stream().distinct().count() != 1
                    || leaders.values().contains(0L)) {
                violations.add("leadership: group " + g + " replicas follow " + leaders);
            }
        }
    }

    private NodeStatus status(long server, long group) {
        CompletableFuture<NodeStatus> f = servers.get(server).group(group).status();
        scheduler.runFor(MS);
        return f.join();
    }

    /**
     * Kills the server leading the most groups while every group is quiesced and returns how long the
     * slowest of its groups took to elect a leader on the survivors; records a violation past the bound.
     */
    private long leaderServerDies() {
        Map<Long, List<Long>> led = new TreeMap<>();
        for (long g = 1; g <= groups; g++) {
            long leader = status(1, g).leader();
            led.computeIfAbsent(leader, k -> new ArrayList<>()).add(g);
        }
        long victim = led.entrySet().stream()
                .max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
                .orElseThrow()
                .getKey();
        if (victim == 0) {
            return -1; // already reported by checkConverged
        }
        long start = scheduler.nanoTime();
        events.add(start / MS + "ms kill " + victim + " leading groups " + led.get(victim));
        crash(victim);
        List<Long> waiting = new ArrayList<>(led.get(victim));
        long maxNanos = 0;
        while (!waiting.isEmpty() && scheduler.nanoTime() - start < 3 * ELECTION_BOUND_MS * MS) {
            scheduler.runFor(5 * MS);
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Long at = electedAt.get(it.next());
                if (at != null && at > start) {
                    maxNanos = Math.max(maxNanos, at - start);
                    it.remove();
                }
            }
        }
        if (!waiting.isEmpty()) {
            violations.add("liveness: groups " + waiting + " had no leader " + 3 * ELECTION_BOUND_MS
                    + " ms after their leader's server " + victim + " died");
        } else if (maxNanos > ELECTION_BOUND_MS * MS) {
            violations.add("liveness: a group took " + maxNanos / MS + " ms to elect after server " + victim
                    + " died (bound " + ELECTION_BOUND_MS + " ms)");
        }
        return maxNanos / MS;
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
            crash(victim);
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
                record(c, null, null);
            }
            return;
        }
        // Bursts and long pauses, so groups quiesce and wake during the faults.
        if (!issuing || random.nextInt(8) != 0) {
            return;
        }
        RaftServer s = servers.get(c.target);
        if (s == null) {
            c.target = 1 + random.nextInt(SERVERS);
            return;
        }
        c.group = 1 + random.nextInt(groups);
        RaftNode node = s.group(c.group);
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
            ReadConsistency level = kind == 9 ? ReadConsistency.LEASE : ReadConsistency.LINEARIZABLE;
            c.pending = node.read(ByteString.copyFromUtf8(key), level);
        }
    }

    private void record(Client c, ByteString result, Throwable failure) {
        long now = scheduler.nanoTime();
        List<Operation<KvModel.Input, KvModel.Output>> history = histories.get(c.group);
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

    private static boolean notApplied(Throwable t) {
        return t instanceof NotLeaderException
                || t instanceof OverloadedException
                || t instanceof ProposalDroppedException;
    }

    long seed() {
        return seed;
    }
}
