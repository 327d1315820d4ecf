package io.raftmanager.core;

import com.google.protobuf.ByteString;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.LeadershipTransferException;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.Role;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.log.RaftLog;
import io.raftmanager.core.tracker.Progress;
import io.raftmanager.core.tracker.ProgressState;
import io.raftmanager.core.tracker.ProgressTracker;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogReader;
import io.raftmanager.spi.PersistentState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure Raft state machine of one server in one group: inputs are {@link #step}, {@link #tick} and
 * {@link #propose}; effects come out as {@link Ready} batches. It performs no I/O, owns no threads and
 * reads no clock: time is {@link #tick(long)} calls, each carrying the runtime's monotonic clock reading
 * (the only measure of leases), and randomness is the injected {@link RandomGenerator}, so the same inputs
 * always give the same outputs.
 *
 * <p>Not thread-safe: one thread (the group's event loop, or the simulator) drives it.
 */
public final class Raft {
    static final Logger LOG = LoggerFactory.getLogger(Raft.class);

    final RaftConfig config;
    final long id;
    final RaftLog raftLog;
    private final RandomGenerator random;
    final LeaderBehavior leader = new LeaderBehavior(this);
    final CandidateBehavior candidate = new CandidateBehavior(this);
    final FollowerBehavior follower = new FollowerBehavior(this);
    final ReadIndexTracker reads = new ReadIndexTracker();
    final Reconfiguration reconfiguration = new Reconfiguration(this);
    private final Admission admission = new Admission(this);
    final Snapshots snapshots = new Snapshots(this);
    final Recovery recovery = new Recovery(this);
    final Quiescence quiescence = new Quiescence(this);

    long term;
    long vote;
    long leaderId;
    Role role = Role.FOLLOWER;
    Membership membership;
    /** The index of the entry {@link #membership} came from (a snapshot's index, or 0, when it came from storage). */
    long membershipIndex;
    /** The configuration applied before {@link #membership}, or null when unknown (see Recovery's reports). */
    Membership previousMembership;

    long previousMembershipIndex;
    ProgressTracker tracker;
    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;
    /** Ticks since this core was created: the clock of elections and heartbeats. */
    long ticks;
    /**
     * The server's monotonic clock at the latest input that carried a reading, in nanoseconds: the clock
     * of leases. Ticks lag the clock when the runtime stalls (it catches up only after draining its
     * inbox), so a lease judged on ticks outlives itself by the length of the stall; see {@link
     * #readIndex(ByteString, boolean, long)}.
     */
    long clockNanos;

    private boolean clockKnown;
    /**
     * Set when this core starts from a term above 0 with CheckQuorum: before it stopped, this server may
     * have acknowledged a heartbeat round that grants a leader its lease, so it refuses disruptive votes
     * for its first election timeout, as it would had it not restarted. Cleared once that has passed.
     */
    boolean honoursLeaseAfterRestart;
    /** Leader: a TimeoutNow went out this term, so another server may be elected despite our lease. */
    boolean leaseRevoked;
    /** Leader: the index of the last configuration entry in the log; no new change until it is applied. */
    long pendingConfigIndex;
    /**
     * The commit index known durable. A configuration entry takes effect only at or below it, so that a
     * server that restarts re-applies every configuration it acted on (a leader whose commit index was
     * not yet written could otherwise forget that a change committed, and wait for votes of a server the
     * change removed).
     */
    long durableCommit;
    /**
     * Batches handed out for applying and not yet reported applied: {last index, entry bytes}. While they
     * hold {@link #APPLY_BACKLOG_BATCHES} times {@code maxApplyBytes}, no more are handed out, so a slow
     * state machine or a long replay at start-up cannot fill the heap with committed entries.
     */
    private final java.util.ArrayDeque<long[]> applyBacklog = new java.util.ArrayDeque<>();

    private long applyBacklogBytes;
    static final int APPLY_BACKLOG_BATCHES = 4;
    /** Leader: the target of a leadership transfer in progress, or 0. */
    long leadTransferee;
    /** Leader: ticks since the transfer started. */
    int transferElapsed;

    private List<RaftMessage> messages = new ArrayList<>();
    private List<RaftMessage> messagesAfterPersist = new ArrayList<>();
    private List<ReadState> readStates = new ArrayList<>();
    private Role lastRole;
    private long lastLeaderId;
    private long lastTerm;
    private long lastVote;
    /** The commit index of the last hard state handed out (see {@link #commitDue()}). */
    private long lastCommit;

    private boolean lastRecovering;
    /** Set by a tick or by quiescing: the next Ready writes the commit index even if nothing else changed. */
    boolean commitFlushDue;

    private long readyNumber;
    private final ArrayDeque<PendingPersist> pendingPersist = new ArrayDeque<>();

    /** What a handed-out Ready asked to persist, remembered until the runtime acknowledges it. */
    private record PendingPersist(
            long number, EntryId lastEntry, long generation, HardState hardState, SnapshotMeta snapshot) {}

    private Raft(RaftConfig config, LogReader log, PersistentState state, RandomGenerator random) {
        this.config = config;
        this.id = config.nodeId();
        this.random = random;
        HardState hs = state.hardState();
        // After a loss the commit index may point past what survived of the log. A hard state whose term
        // is below the log's last term is one too (see Recovery#start).
        boolean damaged = state.lost() || hs.getRecovering() || Recovery.hardStateBehindLog(hs, log);
        long commit = damaged ? Math.min(hs.getCommit(), log.lastIndex()) : hs.getCommit();
        this.raftLog = new RaftLog(log, commit);
        this.term = hs.getTerm();
        this.vote = hs.getVote();
        if (damaged && term < raftLog.lastEntryId().term()) {
            term = raftLog.lastEntryId().term(); // the hard state was lost but entries survived
            vote = 0;
        }
        this.membership = state.membership();
        this.membershipIndex = raftLog.firstIndex() - 1;
        this.durableCommit = commit;
        this.tracker = new ProgressTracker(membership);
        this.honoursLeaseAfterRestart = config.checkQuorum() && term > 0;
        rememberReported(true);
        recovery.start(state);
        resetRandomizedElectionTimeout();
        LOG.info(
                "[{}] starting at term {}, vote {}, commit {}, last {}, members {}",
                id,
                term,
                vote,
                raftLog.committed(),
                raftLog.lastEntryId(),
                tracker.members());
    }

    /**
     * Creates a core from what storage recovered.
     *
     * @param log the durable log, read from the calling thread only
     * @param state the persisted hard state and membership
     * @param random the source of election jitter; seed it to make runs reproducible
     */
    public static Raft create(RaftConfig config, LogReader log, PersistentState state, RandomGenerator random) {
        return new Raft(config, log, state, random);
    }

    // ---------------------------------------------------------------------------------------------
    // Inputs

    /**
     * Advances logical time by one tick, with the clock exactly one tick period later than the last
     * reading: for tests that drive the core by ticks alone. A runtime uses {@link #tick(long)}.
     */
    public void tick() {
        tick(clockNanos + config.tickMillis() * 1_000_000L);
    }

    /**
     * Advances logical time by one tick: elections and heartbeats are counted in ticks.
     *
     * @param nowNanos the server's monotonic clock now, in nanoseconds from any fixed origin; a reading
     *     below an earlier one is ignored
     */
    public void tick(long nowNanos) {
        tick(nowNanos, true);
    }

    /**
     * As {@link #tick(long)}, but a follower or (pre-)candidate whose election timeout has run out starts
     * no election unless {@code mayCampaign}: it stays due and campaigns at the first tick that may. A
     * runtime hosting many groups holds elections back this way so that thousands of groups whose
     * timeouts end together (at start, or when a server dies) do not all campaign at once, which would
     * slow every message past the election timeout and split the votes again and again. Holding an
     * election back is always safe; it only delays it. See {@link #campaignDue()}.
     */
    public void tick(long nowNanos, boolean mayCampaign) {
        observeClock(nowNanos);
        if (quiescence.quiesced()) {
            return; // asleep until an input wakes it
        }
        ticks++;
        commitFlushDue |= raftLog.committed() != lastCommit;
        if (ticks >= config.electionTicks()) {
            honoursLeaseAfterRestart = false;
        }
        if (role == Role.LEADER) {
            leader.tick();
        } else {
            tickElection(mayCampaign);
            recovery.tick();
        }
    }

    /**
     * Whether the next {@link #tick} would start an election (a pre-vote with PreVote on): this server
     * follows or campaigns, is a voter, is awake, and its election timeout runs out at that tick.
     */
    public boolean campaignDue() {
        return role != Role.LEADER
                && !quiescence.quiesced()
                && promotable()
                && electionElapsed + 1 >= randomizedElectionTimeout;
    }

    private void tickElection(boolean mayCampaign) {
        electionElapsed++;
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            if (!mayCampaign) {
                electionElapsed = randomizedElectionTimeout; // still due (and past any lease) next tick
                return;
            }
            electionElapsed = 0;
            startElection(false);
        }
    }

    /** Starts an election now (with PreVote if configured), as if the election timeout had elapsed. */
    public void campaign() {
        quiescence.wake(false);
        startElection(false);
    }

    // ---------------------------------------------------------------------------------------------
    // Quiescence (see Quiescence): the runtime decides when to try and stops ticking while it holds.

    /**
     * Leader: if the group is idle (everything committed, durable and held by every member; no read,
     * transfer or configuration change pending), asks every follower to quiesce and quiesces. A quiesced
     * core ignores {@link #tick}; any proposal, read, transfer, membership change or message other than the
     * quiesce heartbeat and its answers wakes it, and so does {@link #wake(long)}.
     *
     * @return whether this call quiesced the group
     */
    public boolean quiesce() {
        return quiescence.tryQuiesce();
    }

    /** Whether this core is quiesced: it needs no ticks until woken. */
    public boolean quiesced() {
        return quiescence.quiesced();
    }

    /**
     * Wakes a quiesced core because its leader may be dead (the runtime no longer hears the leader's
     * server). A follower is credited the election ticks it missed while asleep, by the clock and at most
     * an election timeout, so it campaigns about as soon as an unquiesced follower would have; it also
     * tells the leader it woke. A leader starts a heartbeat round. No effect unless quiesced.
     *
     * @param nowNanos the server's monotonic clock now
     */
    public void wake(long nowNanos) {
        observeClock(nowNanos);
        quiescence.wake(true);
    }

    /**
     * Tells the core the runtime's monotonic clock: call after handing over a batch of messages, so a
     * follower that quiesced among them knows when (no later reading than this is needed).
     */
    public void clock(long nowNanos) {
        observeClock(nowNanos);
    }

    void startElection(boolean leadershipTransfer) {
        if (role == Role.LEADER) {
            return;
        }
        if (!promotable()) {
            LOG.info("[{}] cannot campaign: {}", id, recovery.active() ? recovery.describe() : "not a voter");
            return;
        }
        if (reconfiguration.hasUnappliedCommittedConfig()) {
            LOG.info(
                    "[{}] cannot campaign: a committed configuration entry up to {} is not applied yet (applied {})",
                    id,
                    raftLog.committed(),
                    raftLog.applying());
            return;
        }
        if (config.preVote() && !leadershipTransfer) {
            candidate.campaign(true, false);
        } else {
            candidate.campaign(false, leadershipTransfer);
        }
    }

    /**
     * Appends a command to the leader's log and starts replicating it.
     *
     * @return the id of the new entry: it is committed when an applied entry with this index has this term
     * @throws NotLeaderException if this server is not the leader
     */
    public EntryId propose(ByteString command) {
        quiescence.wake(false);
        requireLeaderAcceptingProposals();
        return leader.propose(List.of(command), null).get(0);
    }

    private void requireLeaderAcceptingProposals() {
        if (role != Role.LEADER) {
            throw new NotLeaderException(id, leaderId);
        }
        if (leadTransferee != 0) {
            throw new ProposalDroppedException("leadership transfer to " + leadTransferee + " in progress");
        }
    }

    /**
     * Proposes a membership change after checking it can be made safely: see {@link
     * #proposeMembershipChange(MembershipChange, boolean)}; this form never forces.
     */
    public EntryId proposeMembershipChange(MembershipChange change) {
        return proposeMembershipChange(change, false);
    }

    /**
     * Appends a membership change to the leader's log. The change takes effect on every server when its
     * entry is applied; a joint change with auto-leave is followed by the entry leaving it, appended by the
     * leader once the joint configuration is applied. An empty change list leaves a joint configuration.
     *
     * @param force skip the preflight check that the new configuration has a live, caught-up quorum (for
     *     recovering a cluster whose servers are known to be coming back); every other rule still applies
     * @return the id of the configuration entry
     * @throws NotLeaderException if this server is not the leader
     * @throws ProposalDroppedException if a leadership transfer is in progress
     * @throws MembershipChangeException if the change breaks a rule, see {@link
     *     MembershipChangeException.Reason}
     */
    public EntryId proposeMembershipChange(MembershipChange change, boolean force) {
        quiescence.wake(false);
        requireLeaderAcceptingProposals();
        return reconfiguration.propose(change, force);
    }

    /**
     * Starts transferring leadership to {@code target} (thesis §3.10): the leader brings the target's log
     * up to date, refuses proposals meanwhile, and sends it TimeoutNow so it campaigns at once. If the
     * target has not taken over within an election timeout the transfer is abandoned and proposals are
     * accepted again. Progress shows in {@link Status#transferee()} and in role changes.
     *
     * @throws NotLeaderException if this server is not the leader
     * @throws LeadershipTransferException if the target is this server, unknown, or not a voter of the
     *     (incoming) configuration
     */
    public void transferLeadership(long target) {
        quiescence.wake(false);
        if (role != Role.LEADER) {
            throw new NotLeaderException(id, leaderId);
        }
        if (target == id) {
            throw new LeadershipTransferException(LeadershipTransferException.Reason.SELF, target);
        }
        if (!tracker.isMember(target)) {
            throw new LeadershipTransferException(LeadershipTransferException.Reason.UNKNOWN_PEER, target);
        }
        if (!tracker.voters().incoming().contains(target)) {
            throw new LeadershipTransferException(LeadershipTransferException.Reason.NOT_VOTER, target);
        }
        leader.transferTo(target);
    }

    /**
     * A leader that cannot go on (its disk is full or stalls) hands leadership to the most up-to-date other
     * voter, as a transfer (thesis §3.10). Nothing happens if this server is not the leader, a transfer is
     * already under way, or no other voter exists. Returns whether a hand-off started.
     */
    public boolean handOffLeadership(String why) {
        if (role != Role.LEADER
                || leadTransferee != 0
                || tracker.voterIds().stream().allMatch(v -> v == id)) {
            return false;
        }
        LOG.info("[{}] hands off leadership: {}", id, why);
        leader.handOff();
        return true;
    }

    /** Proposes several commands at once; they get consecutive indexes. */
    public List<EntryId> proposeBatch(List<ByteString> commands) {
        return proposeBatch(commands, null);
    }

    /**
     * Proposes several entries at once, {@code commands.get(i)} with type {@code types.get(i)}: NORMAL,
     * SESSION or DIGEST_MARKER, which the core replicates alike (the runtime interprets them when applying).
     * A null {@code types} means all NORMAL.
     */
    public List<EntryId> proposeBatch(List<ByteString> commands, List<EntryType> types) {
        quiescence.wake(false);
        requireLeaderAcceptingProposals();
        if (commands.isEmpty()) {
            throw new ProposalDroppedException("empty batch");
        }
        return leader.propose(commands, types);
    }

    /**
     * Processes one message from another server. A message that fails validation throws {@link
     * InvalidMessageException} and leaves the state untouched; a stale one is ignored.
     */
    public void step(RaftMessage m) {
        MessageValidator.validate(m, config);
        // A probe wakes a quiesced core too: the recovering server needs the leader's heartbeats.
        if (quiescence.quiesced() && !quiescence.keepsQuiescence(m)) {
            quiescence.wakeFor(m);
        }
        if (!m.hasRecoveryProbeResponse()) {
            recovery.onMessageFrom(m); // a voter that has not answered is alive
        }
        // Recovery probes carry information only: answered and recorded whatever the terms.
        if (m.hasRecoveryProbe()) {
            Recovery.answer(this, m);
            return;
        }
        if (m.hasRecoveryProbeResponse()) {
            recovery.onResponse(m);
            return;
        }
        if (!admission.admitSender(m)) {
            return;
        }
        if (m.hasVoteResponse() && !m.getVoteResponse().getGranted() || m.hasVoteRequest()) {
            VoteRequests.learnCommit(this, m); // before the term checks: a commit index is true in any term
        }
        if (m.hasVoteRequest() && recovery.active() && !recovery.mayVote(m)) {
            // Refused whatever the term, and without taking the term up: a recovering server that adopted a
            // stale candidate's ever-rising term would then knock every real candidate down with it.
            VoteRequests.refuseWhileRecovering(this, m);
            return;
        }
        if (recovery.holdsLeaderMessage(m)) {
            // Unanswered, but a leader is alive: once recovered, this server must not campaign against it.
            electionElapsed = 0;
            return;
        }
        if (m.getTerm() > term) {
            if (!admission.onHigherTerm(m)) {
                return;
            }
        } else if (m.getTerm() < term) {
            admission.onLowerTerm(m);
            return;
        }
        switch (role) {
            case LEADER -> leader.step(m);
            case CANDIDATE, PRE_CANDIDATE -> candidate.step(m);
            case FOLLOWER -> follower.step(m);
        }
        recovery.maybeFinish();
    }

    /**
     * Asks for a linearizable read (ReadIndex, thesis §6.4): a {@link ReadState} with this context appears
     * in a later Ready once leadership is confirmed; serve the read when that index is applied. On a
     * follower the request is forwarded to the leader. With {@code allowLease}, a leader whose lease is
     * valid answers at once without a round trip (safe only while clock drift stays within the bound).
     * A request that is lost (leader change, dropped message) never produces a ReadState: callers time out.
     *
     * @throws NotLeaderException if no leader is known
     */
    public void readIndex(ByteString context, boolean allowLease) {
        readIndex(context, allowLease, clockNanos);
    }

    /**
     * As {@link #readIndex(ByteString, boolean)}, with the lease judged at {@code nowNanos}: the clock
     * read after the request arrived. A runtime must use this form: a leader that stalled (GC, SIGSTOP)
     * past its lease has not yet counted the ticks it missed when it drains the reads that waited, and only
     * the clock knows the lease ran out meanwhile.
     */
    public void readIndex(ByteString context, boolean allowLease, long nowNanos) {
        observeClock(nowNanos);
        quiescence.wake(false);
        if (role == Role.LEADER) {
            leader.readIndex(context, 0, allowLease);
        } else if (leaderId != 0) {
            send(Messages.readIndexRequest(this, leaderId, context), false);
        } else {
            throw new NotLeaderException(id, 0);
        }
    }

    private void observeClock(long nowNanos) {
        if (!clockKnown || nowNanos - clockNanos > 0) {
            clockNanos = nowNanos;
            clockKnown = true;
        }
        quiescence.clockObserved(clockNanos);
    }

    void addReadState(ReadState rs) {
        readStates.add(rs);
    }

    /**
     * Tells the core the transport is dropping messages to a peer: a leader stops streaming to it
     * optimistically, and a recovering server probes it again sooner.
     */
    public void reportUnreachable(long peer) {
        recovery.onUnreachable(peer);
        if (role == Role.LEADER) {
            Progress pr = tracker.progress(peer);
            if (pr != null && pr.state() == ProgressState.REPLICATE) {
                pr.becomeProbe();
            }
        }
    }

    /**
     * Reports how streaming a snapshot to {@code peer} ended (asked for by an {@code
     * install_snapshot_request} in a Ready): on success the leader waits for the follower to acknowledge
     * it, on failure it retries after the next heartbeat.
     */
    public void reportSnapshot(long peer, boolean succeeded) {
        snapshots.report(peer, succeeded);
    }

    // ---------------------------------------------------------------------------------------------
    // Role changes: the only place that assigns `role`.

    void becomeFollower(long newTerm, long newLeader) {
        reset(newTerm);
        role = Role.FOLLOWER;
        leaderId = newLeader;
    }

    void becomePreCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("leader cannot become pre-candidate");
        }
        // PreVote leaves term and vote alone: that is its whole point.
        tracker.resetVotes();
        quiescence.reset();
        role = Role.PRE_CANDIDATE;
        leaderId = 0;
    }

    void becomeCandidate() {
        if (role == Role.LEADER) {
            throw new IllegalStateException("leader cannot become candidate");
        }
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
        LOG.info("[{}] became candidate at term {}", id, term);
    }

    void becomeLeader() {
        if (role == Role.FOLLOWER) {
            throw new IllegalStateException("follower cannot become leader directly");
        }
        reset(term);
        role = Role.LEADER;
        leaderId = id;
        LOG.info("[{}] became leader at term {}", id, term);
        leader.onElected();
    }

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = 0;
        }
        leaderId = 0;
        quiescence.reset();
        electionElapsed = 0;
        heartbeatElapsed = 0;
        leadTransferee = 0;
        leaseRevoked = false;
        transferElapsed = 0;
        resetRandomizedElectionTimeout();
        tracker.resetVotes();
        reads.reset();
        tracker.resetProgress(raftLog.lastIndex() + 1, config.maxInflightMessages(), config.maxInflightBytes());
    }

    private void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
    }

    boolean promotable() {
        return tracker.isVoter(id) && !recovery.active();
    }

    // ---------------------------------------------------------------------------------------------
    // Outputs

    void send(RaftMessage m, boolean afterPersist) {
        (afterPersist ? messagesAfterPersist : messages).add(m);
    }

    /** Appends entries to this server's own log (as leader). */
    List<EntryId> appendOwn(List<ByteString> commands, EntryType type) {
        long index = raftLog.lastIndex();
        List<Entry> entries = new ArrayList<>(commands.size());
        List<EntryId> ids = new ArrayList<>(commands.size());
        for (ByteString c : commands) {
            index++;
            entries.add(Entry.newBuilder()
                    .setTerm(term)
                    .setIndex(index)
                    .setType(type)
                    .setData(c)
                    .build());
            ids.add(new EntryId(term, index));
        }
        raftLog.append(entries);
        return ids;
    }

    SoftState softState() {
        return new SoftState(role, leaderId);
    }

    HardState hardState() {
        return HardState.newBuilder()
                .setTerm(term)
                .setVote(vote)
                .setCommit(raftLog.committed())
                .setRecovering(recovery.active())
                .build();
    }

    private boolean softStateChanged() {
        return role != lastRole || leaderId != lastLeaderId;
    }

    /** Term, vote or the recovery flag changed: they must be durable before any answer relies on them. */
    private boolean votingStateChanged() {
        return term != lastTerm || vote != lastVote || recovery.active() != lastRecovering;
    }

    /**
     * Whether a Ready must write the commit index although term and vote are unchanged. The commit index
     * need not be durable for safety, so its advances are written at most once per tick and when the group
     * quiesces, not with every write of entries (that was one more record per group per replication round,
     * on the leader and on each follower); a restart then replays at most a tick's worth less without a
     * leader (a snapshot newer than the written commit index counts as committed). Waiting would cost a
     * configuration entry, which takes effect only at or below the durable commit index: it is written at
     * once then.
     */
    private boolean commitDue() {
        return raftLog.committed() != lastCommit && (commitFlushDue || configAwaitsDurableCommit());
    }

    /** The next entry to apply is a committed configuration entry held back until the commit is durable. */
    private boolean configAwaitsDurableCommit() {
        return mayHandOutApplies() && raftLog.hasEntriesToApply() && !raftLog.hasEntriesToApply(durableCommit);
    }

    /** Remembers what the last Ready reported, so the next one carries only changes. */
    private void rememberReported(boolean hardStateWritten) {
        lastRole = role;
        lastLeaderId = leaderId;
        if (hardStateWritten) {
            lastTerm = term;
            lastVote = vote;
            lastCommit = raftLog.committed();
            lastRecovering = recovery.active();
            commitFlushDue = false;
        }
    }

    /** Whether {@link #ready()} has anything to hand out. */
    public boolean hasReady() {
        return !messages.isEmpty()
                || !messagesAfterPersist.isEmpty()
                || !readStates.isEmpty()
                || (role == Role.LEADER && reads.hasUnsent())
                || raftLog.hasEntriesToPersist()
                || raftLog.hasSnapshotToPersist()
                || (mayHandOutApplies() && raftLog.hasEntriesToApply(durableCommit))
                || softStateChanged()
                || votingStateChanged()
                || commitDue();
    }

    /** Hands out the next batch of effects. The runtime must carry it out as {@link Ready} describes. */
    public Ready ready() {
        if (role == Role.LEADER && reads.hasUnsent()) {
            leader.broadcastHeartbeat(); // one confirmation round for every read since the last Ready
        }
        // Configurations take effect as their entries are handed out for applying (see Reconfiguration);
        // first, so that the role, messages and entries that follow from them go out in this Ready.
        List<Entry> toApply =
                mayHandOutApplies() ? raftLog.takeEntriesToApply(config.maxApplyBytes(), durableCommit) : List.of();
        if (!toApply.isEmpty()) {
            long bytes = 0;
            for (Entry e : toApply) {
                bytes += e.getData().size();
            }
            applyBacklog.add(new long[] {toApply.get(toApply.size() - 1).getIndex(), bytes});
            applyBacklogBytes += bytes;
        }
        Membership changed = reconfiguration.applyEntries(toApply) ? membership : null;
        Membership restored = snapshots.takeRestoredMembership();
        changed = restored != null && changed == null ? restored : changed;
        SnapshotMeta snapshot = raftLog.takeSnapshotToPersist();
        reconfiguration.maybeAutoLeave();
        SoftState ss = softStateChanged() ? softState() : null;
        List<Entry> toPersist = raftLog.takeEntriesToPersist();
        // Term and vote must be durable before any answer that relies on them; a commit index need not be.
        boolean mustSync = votingStateChanged();
        HardState hs = mustSync || commitDue() ? hardState() : null;
        mustSync |= !toPersist.isEmpty() || snapshot != null;
        readyNumber++;
        Ready rd = new Ready(
                readyNumber,
                ss,
                hs,
                toPersist,
                messages,
                messagesAfterPersist,
                toApply,
                readStates,
                changed,
                snapshot,
                mustSync);
        if (rd.hasPersistWork()) {
            EntryId last = toPersist.isEmpty() ? null : EntryId.of(toPersist.get(toPersist.size() - 1));
            pendingPersist.add(
                    new PendingPersist(readyNumber, last, raftLog.unstableGeneration(), rd.hardState(), snapshot));
        }
        rememberReported(hs != null);
        messages = new ArrayList<>();
        messagesAfterPersist = new ArrayList<>();
        readStates = new ArrayList<>();
        return rd;
    }

    /** The writes of every Ready up to {@code readyNumber} are durable. */
    public void persisted(long readyNumber) {
        if (readyNumber > this.readyNumber) {
            throw new IllegalStateException(
                    "persisted(" + readyNumber + ") but only " + this.readyNumber + " handed out");
        }
        boolean selfVoteDurable = false;
        while (!pendingPersist.isEmpty() && pendingPersist.peek().number() <= readyNumber) {
            PendingPersist p = pendingPersist.poll();
            if (p.snapshot() != null) {
                raftLog.snapshotPersisted(p.snapshot());
                durableCommit = Math.max(durableCommit, p.snapshot().getIndex());
            }
            if (p.lastEntry() != null) {
                raftLog.stableTo(p.lastEntry(), p.generation());
            }
            HardState hs = p.hardState();
            if (hs != null) {
                durableCommit = Math.max(durableCommit, hs.getCommit());
            }
            if (hs != null && hs.getTerm() == term && hs.getVote() == id) {
                selfVoteDurable = true;
            }
        }
        if (role == Role.LEADER) {
            leader.onOwnLogPersisted();
        } else if (role == Role.CANDIDATE && selfVoteDurable) {
            // A candidate counts its own vote only once it is durable: otherwise a crash could let it
            // vote again in the same term after having won with this vote.
            candidate.recordVote(id, true);
        }
    }

    /**
     * The state machine has applied every entry up to {@code index} handed out so far. Committed entries
     * are handed out only while those not yet reported applied hold less than four times {@code
     * maxApplyBytes}: the apply backlog is bounded, and a runtime must report progress to get more.
     */
    public void applied(long index) {
        raftLog.appliedTo(index);
        while (!applyBacklog.isEmpty() && applyBacklog.peek()[0] <= index) {
            applyBacklogBytes -= applyBacklog.poll()[1];
        }
    }

    private boolean mayHandOutApplies() {
        return applyBacklogBytes < APPLY_BACKLOG_BATCHES * config.maxApplyBytes();
    }

    /** Acknowledges a fully carried-out Ready: persisted, then applied. */
    public void advance(Ready rd) {
        persisted(rd.number());
        if (rd.snapshot() != null) {
            applied(rd.snapshot().getIndex());
        } else if (!rd.entriesToApply().isEmpty()) {
            applied(rd.entriesToApply().get(rd.entriesToApply().size() - 1).getIndex());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Introspection

    public Status status() {
        return Status.of(this);
    }

    public long id() {
        return id;
    }

    /** The commit index, which may be ahead of the one last written (see {@link Ready#hardState()}). */
    public long commitIndex() {
        return raftLog.committed();
    }

    /** When leader: each member's match index, in id order; otherwise empty. */
    public Map<Long, Long> matchIndexes() {
        return Status.matchIndexes(this);
    }

    public long term() {
        return term;
    }

    public Role role() {
        return role;
    }

    public long leaderId() {
        return leaderId;
    }

    public RaftLog log() {
        return raftLog;
    }

    public Membership membership() {
        return membership;
    }

    /**
     * Why this server does not vote or campaign yet while it recovers from empty or lost storage (for
     * example "recovering: waiting to catch up to index 42 (at 17)"), or null when it votes normally.
     */
    public String recovery() {
        return recovery.describe();
    }
}
