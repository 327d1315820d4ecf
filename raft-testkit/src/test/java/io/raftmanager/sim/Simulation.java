package io.raftmanager.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.Role;
import io.raftmanager.core.PlantedBugs;
import io.raftmanager.core.Ready;
import io.raftmanager.core.confchange.ChangeResult;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of a Raft cluster: one thread, one seed, simulated time. Each step of
 * time it may inject a fault, ticks the servers, lets clients propose, delivers due messages, completes
 * due disk writes and carries out every Ready; then it checks the {@link Invariants}. After the fault
 * phase every fault heals and the cluster must elect a leader and commit a new entry on every server
 * within a bounded time.
 *
 * <p>Same seed, same history: the trace digest is a function of the seed and step count alone.
 */
final class Simulation {
    static final int HEAL_STEPS = 3000;
    /** Servers hosted from the start with no configuration, which membership changes may add. */
    static final int SPARES = 2;
    /** Simulation steps per tick of the fastest clock. */
    static final int FASTEST_STEPS_PER_TICK = 4;

    final long seed;
    private final int steps;
    private final SplittableRandom rnd;
    private final SplittableRandom nemesisRnd;
    private final SimOptions options;
    private final SimNetwork network;
    private final List<SimNode> nodes = new ArrayList<>();
    private final Invariants invariants = new Invariants();
    private final Map<Long, Map<EntryId, ByteString>> pendingProposals = new HashMap<>();
    private final Map<Long, ByteString> acknowledged = new HashMap<>();
    private final ArrayDeque<String> recentEvents = new ArrayDeque<>();
    private final boolean keepEvents;
    private long now;
    private long digest = 0xcbf29ce484222325L;
    final SimStats stats = new SimStats();
    private final MembershipNemesis membershipNemesis;
    private final SimSnapshots snapshots;

    private final SimVariant variant;
    private final SimClients clients;

    Simulation(long seed, int steps, boolean keepEvents) {
        this(seed, steps, keepEvents, SimVariant.DEFAULT);
    }

    Simulation(long seed, int steps, boolean keepEvents, SimVariant variant) {
        this.seed = seed;
        this.variant = variant;
        this.membershipNemesis = new MembershipNemesis(nodes, stats, this::event, variant.joinerFocus());
        this.steps = steps;
        this.keepEvents = keepEvents;
        this.rnd = new SplittableRandom(seed);
        this.options = variant.faults().apply(SimOptions.draw(rnd.split()));
        this.nemesisRnd = rnd.split();
        this.network = new SimNetwork(rnd.split(), options);
        this.snapshots = new SimSnapshots(seed, nodes, stats, this::event);
        this.clients = new SimClients(seed, nodes, options, variant, stats, this::event);
        long[] voters = new long[options.nodes()];
        for (int i = 0; i < voters.length; i++) {
            voters[i] = i + 1;
        }
        for (long id = 1; id <= voters.length + SPARES; id++) {
            RaftConfig config = RaftConfig.builder()
                    .nodeId(id)
                    .clusterId("sim")
                    .groupId(7)
                    .electionTicks(options.electionTicks())
                    .heartbeatTicks(options.heartbeatTicks())
                    .preVote(options.preVote())
                    .checkQuorum(options.checkQuorum())
                    .maxInflightMessages(options.maxInflightMessages())
                    .maxMessageBytes(options.maxMessageBytes())
                    // -Draft.sim.noRecovery=true replays a seed without storage-fault recovery (diagnosis only)
                    .storageRecovery(!Boolean.getBoolean("raft.sim.noRecovery"))
                    .build();
            // Clock drift: each server's clock runs at its own rate, the fastest at most the configured
            // lease bound times the slowest (beyond it only in variants that explore drift).
            double spread = config.leaseClockRateBound() * variant.driftFactor();
            long fastest = config.tickMillis() * 1_000_000L / FASTEST_STEPS_PER_TICK;
            long stepNanos = fastest - (long) (rnd.nextDouble() * (fastest - fastest / spread));
            // A spare starts empty, in joining mode: it learns its configuration from the log once added.
            MemoryLogStorage storage =
                    id <= voters.length ? MemoryLogStorage.withVoters(voters) : MemoryLogStorage.withVoters();
            nodes.add(new SimNode(id, config, storage, stepNanos, rnd));
            plantBugs(nodes.get(nodes.size() - 1));
            pendingProposals.put(id, new HashMap<>());
        }
    }

    SimOptions options() {
        return options;
    }

    long digest() {
        return digest;
    }

    /** Runs the fault phase and the heal phase; throws {@link AssertionError} on any violation. */
    void run() {
        event("options " + options);
        for (int s = 0; s < steps; s++) {
            nemesis();
            step(true);
        }
        heal();
        awaitProgress();
        for (SimNode n : nodes) {
            mix(n.raft.log().lastEntryId().hashCode());
            mix(n.raft.log().committed());
        }
        Invariants.checkLogsMatch(nodes);
        checkAcknowledgedWritesSurvive();
        clients.check(now);
        stats.committed = invariants.committedCount();
        stats.leaderTerms = invariants.leaderTerms();
        stats.messages = network.sent;
        stats.dropped = network.dropped;
        stats.duplicated = network.duplicated;
    }

    private void step(boolean clients) {
        now++;
        Map<Long, Invariants.Before> before = new HashMap<>();
        for (SimNode n : nodes) {
            if (n.isUp()) {
                before.put(
                        n.id,
                        new Invariants.Before(n.raft.membership(), n.raft.log().committed()));
            }
        }
        for (SimNode n : nodes) {
            if (n.isUp() && !n.isPaused(now)) {
                // As the runtime's loop: what arrived while the server was paused is handled before the
                // ticks it missed are caught up.
                this.clients.deliverHeldReads(n, now);
                n.tickUpTo(now);
            }
        }
        if (clients && nemesisRnd.nextDouble() < options.proposeRate()) {
            propose();
        }
        if (clients) {
            this.clients.issue(now);
        }
        RaftMessage m;
        while ((m = network.poll(now)) != null) {
            deliver(m);
        }
        for (SimNode n : nodes) {
            processReady(n);
        }
        for (SimNode n : nodes) {
            if (!n.isUp() || n.isPaused(now)) {
                continue;
            }
            List<RaftMessage> afterPersist;
            while ((afterPersist = n.completeWrite(now)) != null) {
                if (afterPersist == SimNode.SYNC_FAILED) {
                    event("fsync failed on " + n.id + ": it stops");
                    // Check what it committed in this step first: it may restart with that commit on disk,
                    // and a restart starts checking from the durable commit.
                    invariants.afterStep(List.of(n));
                    n.crash();
                    pendingProposals.get(n.id).clear();
                    this.clients.onCrash(n, now);
                    stats.fsyncFailures++;
                    break;
                }
                for (RaftMessage out : afterPersist) {
                    network.send(out, now);
                }
                processReady(n);
            }
        }
        invariants.afterStep(nodes);
        invariants.checkCommitQuorums(nodes, before);
        this.clients.afterStep(now);
    }

    private void deliver(RaftMessage m) {
        SimNode to = nodes.get((int) m.getTo() - 1);
        if (!to.isUp()) {
            return;
        }
        if (to.isPaused(now)) {
            network.defer(m, to.pausedUntil);
            return;
        }
        mix(m.getFrom() * 31
                + m.getTo() * 7
                + m.getTerm() * 131
                + m.getBodyCase().ordinal());
        snapshots.beforeDeliver(to, m);
        try {
            to.raft.step(m);
        } catch (InvalidMessageException e) {
            throw new AssertionError(
                    "server " + to.id + " refused a message from a correct peer: " + e.getMessage(), e);
        }
    }

    private void processReady(SimNode n) {
        if (!n.isUp() || n.isPaused(now)) {
            return;
        }
        while (n.raft.hasReady()) {
            Ready rd = n.raft.ready();
            if (rd.softState() != null) {
                event("server " + n.id + " is " + rd.softState().role() + " at term " + n.raft.term());
                if (rd.softState().role() == Role.LEADER) {
                    stats.elections++;
                }
            }
            if (rd.membership() != null) {
                event("server " + n.id + " applies " + Changer.describe(rd.membership()));
            }
            for (RaftMessage m : rd.messages()) {
                if (!snapshots.onSend(n, m, x -> network.send(x, now))) {
                    network.send(m, now);
                }
            }
            if (!rd.entriesToPersist().isEmpty()) {
                invariants.onPersist(n.raft, rd.entriesToPersist());
                if (rd.entriesToPersist().get(0).getIndex() <= n.durable.lastIndex()) {
                    stats.truncations++;
                }
            }
            n.submitWrite(rd, now, nemesisRnd);
            clients.onReady(n, rd, now);
            for (Entry e : rd.entriesToApply()) {
                invariants.onApply(n, e);
                snapshots.onApply(n, e);
                ByteString data = pendingProposals.get(n.id).remove(EntryId.of(e));
                if (data != null) {
                    acknowledged.put(e.getIndex(), data);
                }
            }
            if (!rd.entriesToApply().isEmpty()) {
                n.raft.applied(
                        rd.entriesToApply().get(rd.entriesToApply().size() - 1).getIndex());
            }
            snapshots.afterApply(n, rd);
            mix(rd.number() * 17
                    + rd.entriesToPersist().size() * 3
                    + rd.entriesToApply().size());
        }
    }

    /**
     * A client sends 1-4 commands to a server that believes it leads, possibly a stale leader cut off from
     * the others: its uncommitted entries are what later leaders must overwrite safely.
     */
    private void propose() {
        List<SimNode> leaders = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.isUp() && !n.isPaused(now) && n.raft.role() == Role.LEADER) {
                leaders.add(n);
            }
        }
        if (leaders.isEmpty()) {
            return;
        }
        SimNode n = leaders.get(nemesisRnd.nextInt(leaders.size()));
        int count = 1 + nemesisRnd.nextInt(4);
        for (int i = 0; i < count; i++) {
            ByteString data = ByteString.copyFromUtf8("s" + seed + "-" + now + "-" + i);
            EntryId id;
            try {
                id = n.raft.propose(data);
            } catch (ProposalDroppedException e) {
                return; // a leadership transfer is in progress
            }
            pendingProposals.get(n.id).put(id, data);
            mix(id.hashCode());
        }
    }

    private void nemesis() {
        SplittableRandom r = nemesisRnd;
        if (options.membershipRate() > 0 && r.nextDouble() < options.membershipRate()) {
            membershipNemesis.run(r, now);
        }
        if (options.partitionRate() > 0 && r.nextDouble() < options.partitionRate()) {
            partition(r);
        }
        if (options.crashRate() > 0 && r.nextDouble() < options.crashRate()) {
            SimNode n = variant.joinerFocus() && r.nextBoolean() ? joinedVoter(r) : target(r);
            long down = nodes.stream().filter(x -> !x.isUp()).count();
            if (n.isUp() && (down < nodes.size() / 2 || r.nextInt(10) == 0)) {
                event("crash " + n.id);
                n.crash();
                pendingProposals.get(n.id).clear();
                clients.onCrash(n, now);
                stats.crashes++;
                maybeDamageDisk(n, r);
            }
        }
        for (SimNode n : nodes) {
            if (!n.isUp() && r.nextDouble() < Math.max(0.01, options.crashRate() * 4)) {
                event("restart " + n.id);
                n.start(r, now);
                snapshots.onRestart(n);
                plantBugs(n);
                stats.restarts++;
            }
        }
        // Failing fsyncs only in the disk-fault runs (SimVariant.diskFaults, every crash a disk fault), so
        // that the default runs keep their histories.
        if (options.diskFaultRate() >= 1.0 && options.crashRate() > 0 && r.nextDouble() < options.crashRate()) {
            SimNode n = target(r);
            if (n.isUp() && !n.diskIdle()) {
                event("fsync will fail on " + n.id);
                n.failNextSync = true;
            }
        }
        if (options.slowDiskRate() > 0 && r.nextDouble() < options.slowDiskRate()) {
            SimNode n = nodes.get(r.nextInt(nodes.size()));
            n.slowDiskUntil = now + 50 + r.nextInt(300);
            event("slow disk " + n.id + " until " + n.slowDiskUntil);
            stats.slowDisks++;
        }
        if (options.pauseRate() > 0 && r.nextDouble() < options.pauseRate()) {
            SimNode n = target(r); // leaders and followers
            // Longer than an election timeout (up to four): long enough for the others to elect a new
            // leader and commit writes while a paused leader still believes it leads.
            long timeout = (long) FASTEST_STEPS_PER_TICK * options.electionTicks();
            n.pausedUntil = now + timeout + timeout / 4 + r.nextLong(3 * timeout);
            event("pause " + n.id + " until " + n.pausedUntil);
            stats.pauses++;
        }
    }

    /**
     * Within the fault model: one server at a time loses or damages its disk, and only once every
     * earlier victim has recovered, so at most a minority ever holds less than it acknowledged.
     */
    private void maybeDamageDisk(SimNode n, SplittableRandom r) {
        if (options.diskFaultRate() == 0 || r.nextDouble() >= options.diskFaultRate()) {
            return;
        }
        for (SimNode o : nodes) {
            o.damaged &= !o.isUp() || o.raft.recovery() != null;
            if (o.damaged) {
                return;
            }
            // One server is a minority only of a configuration (each half of a joint one) of 3 or more;
            // a server that is down (the victim itself, just crashed) counts with the one on its disk.
            // Configurations in a log that are not applied yet count too: they may take effect while the
            // victim recovers.
            List<Membership> configs = new ArrayList<>();
            configs.add(
                    o.isUp() ? o.raft.membership() : o.durable.initialState().membership());
            if (!o.isUp() && o.sm.store.latest() != null) {
                // A compaction keeps the log's old base configuration: the configuration of the snapshot the
                // server restarts from is the one its restart rolls the log forward to.
                configs.add(o.sm.store.latest().getMembership());
            }
            List<Entry> entries = o.isUp()
                    ? o.raft.log()
                            .slice(
                                    Math.max(
                                            o.raft.log().firstIndex(),
                                            o.raft.log().applying() + 1),
                                    o.raft.log().lastIndex() + 1,
                                    Long.MAX_VALUE)
                    : o.durable.entries(o.durable.firstIndex(), o.durable.lastIndex() + 1, Long.MAX_VALUE);
            for (Entry e : entries) {
                if (e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
                    try {
                        configs.add(MembershipChange.parseFrom(e.getData()).getResulting());
                    } catch (InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                }
            }
            for (Membership m : configs) {
                if (m.getVotersCount() > 0
                        && (m.getVotersCount() < 3
                                || m.getVotersOutgoingCount() > 0 && m.getVotersOutgoingCount() < 3)) {
                    return;
                }
            }
        }
        SimDiskFault fault = SimDiskFault.draw(r);
        if (variant.joinerFocus() && n.joined() && r.nextInt(4) != 0) {
            fault = SimDiskFault.WIPE; // the case a joiner's storage cannot detect
        }
        if (n.joined() && n.durable.initialState().membership().getVotersList().contains(n.id)) {
            stats.joinedVotersDamaged++;
            stats.wipedJoiners += fault == SimDiskFault.WIPE ? 1 : 0;
        }
        n.damage(fault, r, variant.storageBug() != SimVariant.StorageBug.SILENT_TRUNCATION);
        event("disk fault " + fault + " on " + n.id);
        stats.diskFaults++;
        stats.diskFaultsByKind.merge(fault, 1L, Long::sum);
    }

    /** A voter that joined after bootstrap, up, at random; else any fault victim (joiner-focused runs). */
    private SimNode joinedVoter(SplittableRandom r) {
        List<SimNode> joined = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.isUp() && n.joined() && n.raft.membership().getVotersList().contains(n.id)) {
                joined.add(n);
            }
        }
        return joined.isEmpty() ? target(r) : joined.get(r.nextInt(joined.size()));
    }

    /** A fault's victim: half the time the current leader, as leader failures are the interesting ones. */
    private SimNode target(SplittableRandom r) {
        if (r.nextBoolean()) {
            for (SimNode n : nodes) {
                if (n.isUp() && n.raft.role() == Role.LEADER) {
                    return n;
                }
            }
        }
        return nodes.get(r.nextInt(nodes.size()));
    }

    private void partition(SplittableRandom r) {
        if (network.hasCuts() && r.nextBoolean()) {
            event("heal");
            network.heal();
            return;
        }
        network.heal();
        int size = nodes.size();
        int mode = r.nextInt(4);
        long a = target(r).id;
        switch (mode) {
            case 0 -> { // isolate one server
                for (long b = 1; b <= size; b++) {
                    if (b != a) {
                        network.cutBoth(a, b);
                    }
                }
                event("isolate " + a);
            }
            case 1 -> { // majority / minority, random sides
                List<Long> ids = shuffledIds(r);
                int minority = 1 + r.nextInt(size / 2);
                for (int i = 0; i < minority; i++) {
                    for (int j = minority; j < size; j++) {
                        network.cutBoth(ids.get(i), ids.get(j));
                    }
                }
                event("split " + ids.subList(0, minority) + " | " + ids.subList(minority, size));
            }
            case 2 -> { // bridge: two halves that only `a` connects
                List<Long> ids = shuffledIds(r);
                ids.remove(Long.valueOf(a));
                int half = ids.size() / 2;
                for (int i = 0; i < half; i++) {
                    for (int j = half; j < ids.size(); j++) {
                        network.cutBoth(ids.get(i), ids.get(j));
                    }
                }
                event("bridge " + a + " between " + ids.subList(0, half) + " and " + ids.subList(half, ids.size()));
            }
            default -> { // one-way: `a` can send but hears nothing
                for (long b = 1; b <= size; b++) {
                    if (b != a) {
                        network.cut(b, a);
                    }
                }
                event("one-way deaf " + a);
            }
        }
        stats.partitions++;
    }

    private List<Long> shuffledIds(SplittableRandom r) {
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= nodes.size(); i++) {
            ids.add(i);
        }
        for (int i = ids.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Long t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        return ids;
    }

    private void heal() {
        event("heal all");
        network.heal();
        network.setOptions(options.healed());
        for (SimNode n : nodes) {
            n.pausedUntil = -1;
            n.slowDiskUntil = -1;
            n.failNextSync = false;
            if (!n.isUp()) {
                n.start(nemesisRnd, now);
                snapshots.onRestart(n);
                plantBugs(n);
            }
        }
    }

    /**
     * Liveness: after healing, a new entry must commit and be applied on every server in bounded time,
     * whatever disk faults struck. It is owed because healing brings every voter back and reachable:
     * every recovering server then hears every other voter, and the most up-to-date log is either on a
     * server that votes normally (recovering servers vote for it once they heard every term and log) or
     * on a recovering one, which then recovers because its log dominates every other (docs/storage-faults.md).
     * The rules refuse elections only while a voter is missing; the fault phase covers that, for safety.
     */
    private void awaitProgress() {
        long recovering = nodes.stream()
                .filter(n -> n.raft.recovery() != null
                        && n.raft.membership().getVotersList().contains(n.id))
                .count();
        stats.healsWithRecoveringVoters += recovering > 0 ? 1 : 0;
        stats.healsWithSeveralRecoveringVoters += recovering > 1 ? 1 : 0;
        EntryId marker = null;
        Set<Long> markerMembers = Set.of();
        long healedAt = now;
        long proposedAt = -1;
        // The bound grows with the catch-up work the faults left behind: with one entry per message, a
        // follower 500 entries behind needs 500 round trips however healthy the cluster is.
        long backlog = 0;
        for (SimNode n : nodes) {
            for (SimNode o : nodes) {
                backlog = Math.max(
                        backlog, n.raft.log().lastIndex() - o.raft.log().committed());
            }
        }
        long bound = HEAL_STEPS + 10 * backlog;
        while (now - healedAt < bound) {
            step(false);
            if (marker != null && appliedEverywhere(marker, markerMembers)) {
                stats.healSteps = now - healedAt;
                // A removed leader must hand off and stop leading once the cluster is healthy.
                for (int i = 0; removedLeader() != null; i++) {
                    if (i > HEAL_STEPS) {
                        SimNode n = removedLeader();
                        throw new AssertionError("server " + n.id + " still leads after healing although it is not"
                                + " a voter of " + Changer.describe(n.raft.membership()));
                    }
                    step(false);
                }
                return;
            }
            if (marker == null || now - proposedAt > 300) {
                // (Re)propose: a marker proposed to a leader that then lost its term may never commit.
                for (SimNode n : nodes) {
                    if (n.raft.role() == Role.LEADER) {
                        try {
                            marker = n.raft.propose(ByteString.copyFromUtf8("marker-" + now));
                        } catch (ProposalDroppedException e) {
                            continue; // a leadership transfer is under way; try again later
                        }
                        // Only the members of the leader's configuration receive the log.
                        markerMembers = ChangeResult.members(n.raft.membership());
                        proposedAt = now;
                        break;
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder(
                "liveness violated: no new entry applied everywhere within " + HEAL_STEPS + " steps after healing;");
        for (SimNode n : nodes) {
            var st = n.raft.status();
            sb.append(" [")
                    .append(n.id)
                    .append(' ')
                    .append(st.role())
                    .append(" term=")
                    .append(st.term())
                    .append(" leader=")
                    .append(st.leader())
                    .append(" commit=")
                    .append(st.commit())
                    .append(" last=")
                    .append(st.lastIndex())
                    .append(' ')
                    .append(Changer.describe(n.raft.membership()))
                    .append(" applied=")
                    .append(n.appliedIndex)
                    .append(n.raft.recovery() == null ? "" : " " + n.raft.recovery())
                    .append(']');
        }
        throw new AssertionError(sb.toString());
    }

    private SimNode removedLeader() {
        for (SimNode n : nodes) {
            Membership m = n.raft.membership();
            if (n.raft.role() == Role.LEADER
                    && !m.getVotersList().contains(n.id)
                    && !m.getVotersOutgoingList().contains(n.id)) {
                return n;
            }
        }
        return null;
    }

    private boolean appliedEverywhere(EntryId marker, Set<Long> members) {
        for (SimNode n : nodes) {
            if (!members.contains(n.id)) {
                continue;
            }
            if (n.appliedIndex < marker.index() || n.raft.log().termOrZero(marker.index()) != marker.term()) {
                return false;
            }
        }
        return true;
    }

    private void checkAcknowledgedWritesSurvive() {
        for (Map.Entry<Long, ByteString> ack : acknowledged.entrySet()) {
            Entry e = invariants.committedEntry(ack.getKey());
            if (e == null
                    || e.getType() != EntryType.ENTRY_TYPE_NORMAL
                    || !e.getData().equals(ack.getValue())) {
                throw new AssertionError("acknowledged write lost at index " + ack.getKey());
            }
        }
        stats.acknowledged = acknowledged.size();
    }

    /** A fresh core gets the run's planted bug, if any. */
    private void plantBugs(SimNode n) {
        if (variant.plantReadWithoutRound()) {
            PlantedBugs.readIndexWithoutHeartbeatRound(n.raft);
        }
        if (variant.plantLeaseOnTicks()) {
            PlantedBugs.leaseOnCountedTicks(n.raft);
        }
        switch (variant.storageBug()) {
            case VOTE_AT_ONCE -> PlantedBugs.wipedServerVotesAtOnce(n.raft);
            case FSYNC_RETRY -> n.retriesFailedSync = true;
            case BLANK_JOINER_VOTES -> PlantedBugs.blankJoinerVotes(n.raft);
            case STALE_CONFIGURATION -> PlantedBugs.ignoreReportedConfigurations(n.raft);
            case ANSWER_LEADERS_AT_ONCE -> PlantedBugs.answerLeadersAtOnce(n.raft);
            case JOINER_ANSWERS_LEADERS_AT_ONCE -> PlantedBugs.joinerAnswersLeadersAtOnce(n.raft);
            default -> {}
        }
    }

    /** The recorded client history (for tests that inspect it). */
    List<
                    io.raftmanager.testkit.linearizability.Operation<
                            io.raftmanager.testkit.linearizability.KvModel.Input,
                            io.raftmanager.testkit.linearizability.KvModel.Output>>
            history() {
        return clients.history();
    }

    private void mix(long v) {
        digest ^= v;
        digest *= 0x100000001b3L;
    }

    private void event(String what) {
        mix(what.hashCode());
        mix(now);
        if (keepEvents) {
            recentEvents.add("t=" + now + " " + what);
            if (recentEvents.size() > Integer.getInteger("raft.sim.events", 200)) {
                recentEvents.poll();
            }
        }
    }

    List<String> recentEvents() {
        return List.copyOf(recentEvents);
    }
}
