package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.testkit.SimScheduler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Many groups electing at once on three {@link RaftServer}s that need time for every message ({@link
 * LoadedWire}), on the {@link SimScheduler}: how long until every group has a leader after a cold start,
 * and, once they have quiesced, how long until every group led by the server leading the most has a new
 * leader after that server dies. With a {@linkplain RaftServer.Builder#maxConcurrentElections limit} on
 * campaigns at once, the groups settle in batches; without one, the campaigns' own messages delay the
 * votes past the election timeout and the groups keep splitting their votes.
 */
final class ElectionStormSimulation {
    static final long MS = 1_000_000L;
    static final long TICK_MS = 10;
    static final int ELECTION_TICKS = 10;
    static final long WINDOW_MS = 10;
    static final long LIVENESS_MS = 100;

    /**
     * What a run measured (virtual milliseconds; -1 for "not within the run's time").
     *
     * @param elected groups with a leader when the cold start ended
     * @param allElectedMs when the last group got its first leader
     * @param victimLed groups the killed server led
     * @param reElectedMs after the kill, when the last of them had a new leader
     * @param startQueueMs during the cold start, the longest a message waited behind others at a server
     * @param startProbes recovery probes sent during the cold start (every server starts blank)
     * @param reElectQueueMs the same after the kill
     * @param firstOnPreferred groups whose first leader was their preferred server ({@link
     *     RaftServer#preferredLeader})
     * @param startCampaigns (pre-)campaigns started during the cold start, by every server
     * @param reElectedOnSuccessor of the dead server's groups, those re-elected on the first other server
     *     in their order
     * @param reElectCampaigns (pre-)campaigns started after the kill
     */
    record Outcome(
            int groups,
            int elected,
            long allElectedMs,
            int victimLed,
            int reElected,
            long reElectedMs,
            long deferrals,
            long startQueueMs,
            long startProbes,
            long reElectQueueMs,
            int firstOnPreferred,
            long startCampaigns,
            int reElectedOnSuccessor,
            long reElectCampaigns) {}

    /** Applies nothing: the runs measure elections only (ElectionTurnsTest uses it too). */
    static final class Nothing implements StateMachine {
        @Override
        public ByteString apply(long index, ByteString command) {
            return ByteString.EMPTY;
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.EMPTY;
        }

        @Override
        public boolean applyOnEventLoop() {
            return true;
        }
    }

    private final int groups;
    private final SimScheduler scheduler = new SimScheduler();
    private final LoadedWire wire;
    private final Map<Long, RaftServer> servers = new TreeMap<>();
    /** Group -> the server leading it now (from the listeners). */
    private final Map<Long, Long> leaders = new HashMap<>();
    /** Group -> when it last got a leader (virtual nanos). */
    private final Map<Long, Long> electedAt = new HashMap<>();
    /** Group -> its first leader. */
    private final Map<Long, Long> firstLeader = new HashMap<>();

    private long campaigns;

    /**
     * @param maxElections campaigns at once per server; 0 for no limit
     * @param costMicros a server's time per message
     */
    ElectionStormSimulation(long seed, int groups, int maxElections, long costMicros) {
        this(seed, groups, maxElections, costMicros, false);
    }

    /** @param turns whether the servers' groups take turns to campaign ({@link RaftServer.Builder#preferredLeaders}) */
    ElectionStormSimulation(long seed, int groups, int maxElections, long costMicros, boolean turns) {
        this.groups = groups;
        SplittableRandom random = new SplittableRandom(seed);
        this.wire = new LoadedWire(scheduler, MS / 2, costMicros * 1_000, MS);
        scheduler.start("wire", wire);
        for (long id = 1; id <= 3; id++) {
            RaftServer s = RaftServer.builder()
                    .nodeId(id)
                    .transport(wire.open(id))
                    .scheduler(scheduler)
                    .seed(random.nextLong())
                    .coalesceHeartbeatsMillis(WINDOW_MS)
                    .quiesceIdleGroups(true)
                    .nodeLivenessTimeoutMillis(LIVENESS_MS)
                    .maxConcurrentElections(maxElections)
                    .preferredLeaders(turns)
                    .build();
            s.start();
            servers.put(id, s);
        }
        for (long g = 1; g <= groups; g++) {
            for (RaftServer s : servers.values()) {
                RaftNode n = s.createGroup(
                        RaftConfig.builder()
                                .nodeId(s.nodeId())
                                .clusterId("storm")
                                .groupId(g)
                                .tickMillis(TICK_MS)
                                .heartbeatTicks(1)
                                .electionTicks(ELECTION_TICKS)
                                .digestIntervalTicks(0)
                                .build(),
                        MemoryLogStorage.withVoters(1, 2, 3),
                        new MemorySnapshotStore(),
                        new Nothing());
                long group = g;
                long self = s.nodeId();
                n.addListener(new RaftListener() {
                    @Override
                    public void onRoleChange(Role role, long term, OptionalLong leader) {
                        if (role == Role.LEADER) {
                            leaders.put(group, self);
                            firstLeader.putIfAbsent(group, self);
                            electedAt.put(group, scheduler.nanoTime());
                        } else {
                            if (role == Role.PRE_CANDIDATE || role == Role.CANDIDATE) {
                                campaigns++;
                            }
                            leaders.remove(group, self);
                        }
                    }
                });
            }
        }
    }

    /** Cold start for at most {@code startMs}, then (if all elected) quiesce and kill the busiest server. */
    Outcome run(long startMs, long reElectMs) {
        long allElected = -1;
        for (long t = 0; t < startMs; t += 10) {
            scheduler.runFor(10 * MS);
            if (leaders.size() == groups) {
                allElected = scheduler.nanoTime() / MS;
                break;
            }
        }
        int elected = leaders.size();
        long deferrals = deferrals();
        if (allElected < 0) {
            close();
            return new Outcome(
                    groups,
                    elected,
                    -1,
                    0,
                    0,
                    -1,
                    deferrals,
                    wire.maxQueueNanos / MS,
                    wire.probes,
                    -1,
                    onPreferred(),
                    campaigns,
                    0,
                    0);
        }
        long startQueueMs = wire.maxQueueNanos / MS;
        long startProbes = wire.probes;
        long startCampaigns = campaigns;
        int firstOnPreferred = onPreferred();
        scheduler.runFor(2_000 * MS); // settle and quiesce
        wire.maxQueueNanos = 0;
        Map<Long, Integer> ledBy = new TreeMap<>();
        leaders.values().forEach(id -> ledBy.merge(id, 1, Integer::sum));
        long victim = ledBy.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        Set<Long> waiting = new HashSet<>();
        leaders.forEach((g, id) -> {
            if (id == victim) {
                waiting.add(g);
            }
        });
        int victimLed = waiting.size();
        Set<Long> led = Set.copyOf(waiting);
        long killedAt = scheduler.nanoTime();
        long campaignsBefore = campaigns;
        servers.remove(victim).close();
        long reElected = -1;
        for (long t = 0; t < reElectMs && !waiting.isEmpty(); t += 10) {
            scheduler.runFor(10 * MS);
            waiting.removeIf(g -> {
                Long id = leaders.get(g);
                Long at = electedAt.get(g);
                return id != null && id != victim && at != null && at > killedAt;
            });
            if (waiting.isEmpty()) {
                reElected = (scheduler.nanoTime() - killedAt) / MS;
            }
        }
        deferrals = deferrals();
        int onSuccessor = 0;
        for (long g : led) {
            List<Long> order = new ArrayList<>(ElectionTurns.order(g, List.of(1L, 2L, 3L)));
            order.remove(victim);
            if (Long.valueOf(order.get(0)).equals(leaders.get(g))) {
                onSuccessor++;
            }
        }
        close();
        return new Outcome(
                groups,
                elected,
                allElected,
                victimLed,
                victimLed - waiting.size(),
                reElected,
                deferrals,
                startQueueMs,
                startProbes,
                wire.maxQueueNanos / MS,
                firstOnPreferred,
                startCampaigns,
                onSuccessor,
                campaigns - campaignsBefore);
    }

    private int onPreferred() {
        int n = 0;
        for (Map.Entry<Long, Long> e : firstLeader.entrySet()) {
            if (e.getValue() == RaftServer.preferredLeader(e.getKey(), List.of(1L, 2L, 3L))) {
                n++;
            }
        }
        return n;
    }

    private long deferrals() {
        long n = 0;
        for (RaftServer s : servers.values()) {
            n += s.electionsDeferred();
        }
        return n;
    }

    private void close() {
        servers.values().forEach(RaftServer::close);
        servers.clear();
    }
}
