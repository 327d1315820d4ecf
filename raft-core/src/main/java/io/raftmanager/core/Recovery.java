package io.raftmanager.core;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.Role;
import io.raftmanager.core.confchange.ChangeResult;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.ConfigurationAt;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.RecoveryProbe;
import io.raftmanager.proto.RecoveryProbeResponse;
import io.raftmanager.spi.PersistentState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Non-voting recovery of a server that cannot prove its durable state intact (docs/storage-faults.md).
 *
 * <p>An empty disk looks the same whether the server is brand new or its disk was wiped, and a wiped
 * server may have forgotten entries it acknowledged and votes it granted. So a server that starts empty,
 * or whose storage reports a loss, grants no vote and never campaigns (PreVote included) until:
 *
 * <ul>
 *   <li>data: either every other voter reports an empty log (then nothing was ever committed: a committed
 *       entry lives on a majority, which has a member besides this server), or it has heard from a leader
 *       since it started and holds that leader's commit index, at an entry of the leader's own term (so
 *       it holds every entry committed before it came back), or its own log is at least as up to date
 *       as the log every other voter reported (then it holds those entries already); and
 *   <li>votes: it knows the current term of every other voter, or of at least {@code n - q + 1} of them
 *       from probes sent once every candidacy that could have started before it came back has ended (two
 *       election timeouts); it then never votes in a term at or below the largest term it heard. Any
 *       quorum that elected a candidate with its forgotten vote in term T has {@code q - 1} other members
 *       at term T or more, and they meet every set of {@code n - q + 1} others; the candidate itself,
 *       whose term is at least T since it asked, is among "every other voter".
 * </ul>
 *
 * "Voters" are those of every configuration it must hear: its own (after a lost log, its bootstrap or
 * snapshot configuration, perhaps long stale) and every one the answers name but those superseded (see
 * {@link #requiredConfigs}), so a change it forgot cannot hide the voters that hold what it forgot.
 *
 * <p>A brand-new cluster is the case where every voter reports an empty log: it forms only when all of
 * them answer, so a wiped server and one that never started cannot form a quorum that forgets what the
 * third server holds. The flag {@code recovering} in the hard state is written before anything the
 * recovery persists, so a crash during recovery resumes it. Pure: driven by ticks and messages only.
 */
final class Recovery {
    /** One voter's answer: its term when it answered, what it holds, and the probe round it answered. */
    private record Report(long sequence, long term, long lastIndex, long lastTerm, long commit, boolean recovering) {}

    private final Raft r;
    private boolean active;
    /** Started with an empty log and no reported loss: possibly a brand-new cluster. */
    private boolean startedBlank;
    /** Why a loss was detected while running (a wiped joiner asked to vote), for status pages; or null. */
    private String lossReason;

    private long sequence;
    /** The first probe round sent after two election timeouts: answers to it count for the term bound. */
    private long settledSequence = -1;

    private int ticksSinceStart;
    /** When the next probe round goes out to the voters that have not answered (ticks since start; 0: none sent). */
    private int nextRoundAt;
    /** When each voter was last probed (ticks since start). */
    private final Map<Long, Integer> probedAt = new HashMap<>();

    private final Map<Long, Report> reports = new TreeMap<>();
    /**
     * The configurations heard of in answers, each with the largest index it was reported at (an upper
     * bound of its entry's index: a snapshot's configuration is reported at the snapshot's index).
     */
    private final Map<Membership, Long> heardConfigs = new LinkedHashMap<>();
    /**
     * Configurations reported below this index are superseded: a voter applied two later ones, so it holds
     * every entry committed under them (see {@link #requiredConfigs}); -1 while none is.
     */
    private long supersededBelow = -1;
    /** The largest commit index heard from a leader or peer since start; -1 before any. */
    private long commitTarget = -1;
    /**
     * Without a configuration: the last server it heard a leader message from, probed for the
     * configurations (a held message does not make it the known leader); 0 before any.
     */
    private long leaderHeard;

    /** Planted bugs, set only by tests (PlantedBugs) to prove the tests catch them. */
    boolean plantedMajorityForNewCluster;

    boolean plantedNoVoteFloor;

    /** Planted bug: probe the voters that have not answered every tick, as before rounds were paced. */
    boolean plantedProbeEveryTick;

    /** Planted bug: a server with a configuration ignores those reported in answers (the stale-configuration hole). */
    boolean plantedIgnoreReportedConfigs;

    /** Planted bug: a blank server without a configuration votes as a new one (the wiped-joiner hole). */
    boolean plantedBlankJoinerVotes;

    /** Planted bug: answer leaders before the voters' terms are known (a stale leader counts the answers). */
    boolean plantedAnswerLeadersAtOnce;

    /** Planted bug: a server without a configuration answers the leader it hears from at once. */
    boolean plantedJoinerAnswersLeadersAtOnce;

    Recovery(Raft r) {
        this.r = r;
    }

    /** Decides at start-up whether this server must recover before it votes. */
    void start(PersistentState state) {
        if (!r.config.storageRecovery()) {
            return;
        }
        boolean emptyLog = r.raftLog.lastIndex() == 0;
        boolean blank = emptyLog && state.hardState().getTerm() == 0;
        boolean behind = hardStateBehindLog(state.hardState(), r.raftLog);
        if (state.lost() || state.hardState().getRecovering() || blank || behind) {
            active = true;
            startedBlank = blank && !state.lost() && !state.hardState().getRecovering();
            if (behind && !state.lost() && !state.hardState().getRecovering()) {
                lossReason = "hard state older than the log";
            }
            Raft.LOG.info(
                    "[{}] starts recovering ({}): no vote and no campaign until the cluster confirms its state",
                    r.id,
                    state.lost()
                            ? "storage reported a loss"
                            : state.hardState().getRecovering()
                                    ? "a recovery was under way"
                                    : behind ? "hard state older than the log" : "empty storage");
        }
    }

    /**
     * Whether the hard state's term is below the term of the log's last entry (or snapshot). A server
     * takes entries only from a leader of its current term, and persists that term with them, so such a
     * hard state is not the one that went with this log: it was lost (a wiped server whose snapshot became
     * durable while its first hard state did not, simulator JOINERS seed 3432), and with it perhaps a vote.
     */
    static boolean hardStateBehindLog(HardState hs, io.raftmanager.spi.LogReader log) {
        return hs.getTerm() < log.term(log.lastIndex());
    }

    private static boolean hardStateBehindLog(HardState hs, io.raftmanager.core.log.RaftLog log) {
        return hs.getTerm() < log.lastEntryId().term();
    }

    boolean active() {
        return active;
    }

    /** Planted bug: forget the recovery, voting at once as if the storage were intact. */
    void plantVoteAtOnce() {
        active = false;
    }

    /**
     * At most one probe round is outstanding: the first at the first tick, then only to the voters that
     * have not answered, {@link #FIRST_ROUND_TIMEOUTS} election timeouts later and then every {@link
     * #ROUND_TIMEOUTS}. Thousands of new groups starting at once would otherwise flood the network with
     * probes while the answers queue behind them (a loaded server can take several election timeouts to
     * answer a first round). A voter that shows it is alive is probed sooner (see {@link #onMessageFrom}).
     */
    void tick() {
        if (!active) {
            return;
        }
        ticksSinceStart++;
        if (sequence == 0 || ticksSinceStart >= nextRoundAt || plantedProbeEveryTick) {
            List<Long> to = unanswered();
            if (!to.isEmpty()) {
                probe(to);
                int timeouts = nextRoundAt == 0 ? FIRST_ROUND_TIMEOUTS : ROUND_TIMEOUTS;
                nextRoundAt = ticksSinceStart + timeouts * r.config.electionTicks();
            }
        }
        maybeFinish(); // a single voter hears no answers
    }

    /**
     * Election timeouts before the first re-send: past the settling time of two, and long enough for a
     * loaded server to work through a start-up burst of probes (every group's, at once).
     */
    static final int FIRST_ROUND_TIMEOUTS = 4;

    /** Election timeouts between later rounds. */
    static final int ROUND_TIMEOUTS = 2;

    /**
     * A message from another voter shows it is alive: if it has not answered, it is probed now rather
     * than at the next round when it was never probed (a voter added since the last round), or last
     * probed an election timeout ago and this is not a probe of its own (a leader's heartbeat: the
     * answer was lost), or {@link #FIRST_ROUND_TIMEOUTS} election timeouts ago (it was down, or its
     * group not created yet; under a start-up burst an answer can take a few election timeouts, and
     * every server's first probes then cross ours). So servers, and groups, that start many seconds
     * apart still recover promptly, and a recovering follower of a live leader does not wait for a
     * round. A candidate asking for its vote is probed again (see below), whoever it is.
     */
    void onMessageFrom(RaftMessage m) {
        long peer = m.getFrom();
        if (!active || sequence == 0) {
            return;
        }
        Integer at = probedAt.get(peer);
        if (m.hasVoteRequest()) {
            // The candidate counts this server as a voter: its answer, refreshed at most once per election
            // timeout, names the configurations that do (an answer heard before a promotion does not).
            if (at == null || ticksSinceStart - at >= r.config.electionTicks()) {
                probe(List.of(peer));
            }
            return;
        }
        if (!probeTargets().contains(peer)) {
            return;
        }
        int wait = (m.hasRecoveryProbe() ? FIRST_ROUND_TIMEOUTS : 1) * r.config.electionTicks();
        if ((at == null || ticksSinceStart - at >= wait) && unanswered().contains(peer)) {
            probe(List.of(peer));
        }
    }

    /**
     * The transport dropped messages to {@code peer} (it could not connect: the peer is down, or starts
     * after this server). If its answer is still needed the next round goes out one election timeout from
     * now, not after the first round's {@link #FIRST_ROUND_TIMEOUTS}: in a new cluster whose first probes
     * met closed ports, a voter that answers late and stops before that round would leave this server
     * recovering, holding its leader's messages, until the voter returns (raft-kv KvStorageFaultTest in
     * CI). The transport reports a lane at most once until it delivers again, so this paces itself.
     */
    void onUnreachable(long peer) {
        if (active && probedAt.containsKey(peer) && unanswered().contains(peer)) {
            nextRoundAt = Math.min(nextRoundAt, ticksSinceStart + r.config.electionTicks());
        }
    }

    /** Whether this server recovers and still needs an answer from some voter (see {@link #unanswered}). */
    boolean awaitsAnswers() {
        return active && !unanswered().isEmpty();
    }

    /**
     * The other voters whose answer is still needed: those not heard at all, and, from two election
     * timeouts on while some voter is unheard, those heard only before the settled round (for the
     * {@code n - q + 1} bound; see {@link #termsKnown}).
     */
    private List<Long> unanswered() {
        List<Long> others = otherVoters();
        boolean allHeard = reports.keySet().containsAll(others);
        boolean settling = ticksSinceStart >= 2 * r.config.electionTicks();
        List<Long> out = new ArrayList<>();
        for (long peer : others) {
            Report rep = reports.get(peer);
            if (rep == null || !allHeard && settling && (settledSequence < 0 || rep.sequence() < settledSequence)) {
                out.add(peer);
            }
        }
        return out;
    }

    private void probe(List<Long> peers) {
        sequence++;
        if (settledSequence < 0 && ticksSinceStart >= 2 * r.config.electionTicks()) {
            settledSequence = sequence;
        }
        for (long peer : peers) {
            probedAt.put(peer, ticksSinceStart);
            r.send(
                    Messages.envelope(r, peer, r.term)
                            .setRecoveryProbe(RecoveryProbe.newBuilder()
                                    .setSequence(sequence)
                                    .setLastIndex(r.raftLog.lastIndex()))
                            .build(),
                    false);
        }
    }

    /**
     * The voters of every configuration it must hear. Without a configuration of its own (a joiner, perhaps
     * wiped after it joined), also the leader it hears from: that leader names the configurations (and
     * may still count entries the server acknowledged before its loss, taking every refusal at or below
     * them for a stale message: see {@link LeaderBehavior#onPeerLostEntries}).
     */
    private Set<Long> probeTargets() {
        Set<Long> out = new LinkedHashSet<>();
        if (r.tracker.voterIds().isEmpty()) {
            long leader = r.leaderId != 0 ? r.leaderId : leaderHeard;
            if (leader != 0) {
                out.add(leader);
            }
        }
        for (Membership c : requiredConfigs()) {
            out.addAll(c.getVotersList());
            out.addAll(c.getVotersOutgoingList());
        }
        return out;
    }

    /**
     * The configurations whose voters this server must hear: its own and every one it heard of, but those
     * superseded. A server that lost its log knows only its bootstrap configuration (or its snapshot's),
     * while an entry it forgot may have committed under a later one; each committed configuration is held
     * by a quorum of the one before it, so hearing enough voters of each leads to the next
     * (docs/storage-faults.md, "A voter whose configuration is stale").
     */
    private List<Membership> requiredConfigs() {
        Map<Membership, Long> all = new LinkedHashMap<>();
        all.put(r.membership, r.membershipIndex);
        heardConfigs.forEach((c, index) -> all.merge(c, index, Math::max));
        List<Membership> out = new ArrayList<>();
        all.forEach((c, index) -> {
            if (index >= supersededBelow && !ChangeResult.members(c).isEmpty()) {
                out.add(c);
            }
        });
        return out;
    }

    /** Whether this server is a voter of some configuration it must hear. */
    private boolean votesSomewhere() {
        for (Membership c : requiredConfigs()) {
            if (c.getVotersList().contains(r.id) || c.getVotersOutgoingList().contains(r.id)) {
                return true;
            }
        }
        return false;
    }

    /** Any server answers a probe with what it holds; its state does not change. */
    static void answer(Raft r, RaftMessage m) {
        if (r.role == Role.LEADER) {
            r.leader.onPeerLostEntries(m.getFrom(), m.getRecoveryProbe().getLastIndex());
        }
        r.send(
                Messages.envelope(r, m.getFrom(), r.term)
                        .setRecoveryProbeResponse(RecoveryProbeResponse.newBuilder()
                                .setSequence(m.getRecoveryProbe().getSequence())
                                .setLastIndex(r.raftLog.lastIndex())
                                .setLastTerm(r.raftLog.lastEntryId().term())
                                .setCommit(r.raftLog.committed())
                                .setRecovering(r.recovery.active)
                                .addAllConfigurations(knownConfigs(r)))
                        .build(),
                false);
    }

    /**
     * The configurations a server reports, oldest first: the one applied before its current one (if it
     * knows it), its current one, and every configuration entry in its log past the applied index. The
     * tail is short (entries not handed out for applying yet); answers are rare (recoveries only).
     */
    static List<ConfigurationAt> knownConfigs(Raft r) {
        List<ConfigurationAt> out = new ArrayList<>();
        if (r.previousMembership != null
                && !ChangeResult.members(r.previousMembership).isEmpty()) {
            out.add(configAt(r.previousMembership, r.previousMembershipIndex, true));
        }
        Membership current = r.membership;
        if (ChangeResult.members(current).isEmpty()) {
            return out; // a joiner that knows no configuration yet
        }
        out.add(configAt(current, r.membershipIndex, true));
        long from = Math.max(r.raftLog.applying(), r.raftLog.firstIndex() - 1) + 1;
        long to = r.raftLog.lastIndex();
        while (from <= to) {
            List<Entry> batch = r.raftLog.slice(from, to + 1, r.config.maxApplyBytes());
            for (Entry e : batch) {
                if (e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
                    current = resulting(current, e);
                    out.add(configAt(current, e.getIndex(), false));
                }
            }
            from = batch.get(batch.size() - 1).getIndex() + 1;
        }
        return out;
    }

    private static Membership resulting(Membership before, Entry e) {
        try {
            MembershipChange change = MembershipChange.parseFrom(e.getData());
            return change.hasResulting()
                    ? change.getResulting()
                    : Changer.apply(before, change).membership();
        } catch (InvalidProtocolBufferException | RuntimeException ex) {
            return before; // an unapplied entry another leader may still replace; the applied one stands
        }
    }

    private static ConfigurationAt configAt(Membership m, long index, boolean applied) {
        return ConfigurationAt.newBuilder()
                .setMembership(m)
                .setIndex(index)
                .setApplied(applied)
                .build();
    }

    void onResponse(RaftMessage m) {
        if (!active || !probeTargets().contains(m.getFrom()) && !probedAt.containsKey(m.getFrom())) {
            return;
        }
        RecoveryProbeResponse p = m.getRecoveryProbeResponse();
        learnConfigs(p.getConfigurationsList());
        Report old = reports.get(m.getFrom());
        if (old == null || old.sequence() <= p.getSequence()) {
            reports.put(
                    m.getFrom(),
                    new Report(
                            p.getSequence(),
                            m.getTerm(),
                            p.getLastIndex(),
                            p.getLastTerm(),
                            p.getCommit(),
                            p.getRecovering()));
        }
        commitTarget = Math.max(commitTarget, p.getCommit());
        maybeFinish();
    }

    /**
     * Records the configurations an answer names. When it names two applied ones (the responder's
     * previous and current), every configuration older than the previous is superseded: an entry
     * committed under one of them precedes the configuration two changes later, so the responder, which
     * applied that, holds it and reported a log containing it.
     */
    private void learnConfigs(List<ConfigurationAt> configs) {
        if (plantedIgnoreReportedConfigs && !r.tracker.voterIds().isEmpty()) {
            return; // (a server without a configuration needs them to hear anyone)
        }
        ConfigurationAt previousApplied = null;
        ConfigurationAt lastApplied = null;
        for (ConfigurationAt c : configs) {
            if (ChangeResult.members(c.getMembership()).isEmpty()) {
                continue;
            }
            heardConfigs.merge(c.getMembership(), c.getIndex(), Math::max);
            if (c.getApplied()) {
                previousApplied = lastApplied;
                lastApplied = c;
            }
        }
        if (previousApplied != null) {
            supersededBelow = Math.max(supersededBelow, previousApplied.getIndex());
        }
    }

    /** A leader's AppendEntries: its commit index is a floor for catching up. */
    void onLeaderCommit(long leaderCommit) {
        if (active) {
            commitTarget = Math.max(commitTarget, leaderCommit);
        }
    }

    /**
     * Whether to leave a leader's message (entries, heartbeat, snapshot) unanswered: while recovering, until
     * this server knows the terms of enough voters. It may have forgotten a term above the sender's, and
     * then its answers would let a stale leader commit over what a later leader committed, or confirm its
     * reads (simulator ISOLATED seed 644: a wiped server acknowledged the entries of term 4's cut-off
     * leader after it had acknowledged term 5's). Once the terms are known it takes the largest up (see
     * {@link #maybeFinish}), and the term check refuses stale leaders as it would have before the loss. A
     * server without a configuration (a joiner, perhaps wiped) probes the sender: its answer names the
     * configurations whose voters it must hear (WipedJoinerRulesTest, the stale leader).
     */
    boolean holdsLeaderMessage(RaftMessage m) {
        if (!active
                || !(m.hasAppendRequest() || m.hasHeartbeatRequest() || m.hasInstallSnapshotRequest())
                || plantedAnswerLeadersAtOnce
                || termsKnown()) {
            return false;
        }
        if (r.tracker.voterIds().isEmpty()) {
            // It learns the configurations from this leader's answer, then hears their voters. The probe
            // also tells the leader this server holds nothing (it may remember acknowledgements).
            leaderHeard = m.getFrom();
            if (!probedAt.containsKey(leaderHeard)) {
                probe(List.of(leaderHeard));
            }
            return !plantedJoinerAnswersLeadersAtOnce;
        }
        return true;
    }

    /** Ends the recovery once both conditions hold; see the class comment. */
    void maybeFinish() {
        if (!active) {
            return;
        }
        boolean termsKnown = termsKnown();
        if (termsKnown) {
            takeUpTermFloor(); // at once, not when the data is safe too: earlier leaders are refused from now on
        }
        if (!r.tracker.isVoter(r.id) && r.tracker.voterIds().isEmpty()) {
            return; // it finishes once a leader has given it a configuration
        }
        if (!dataSafe() || !termsKnown && !plantedMajorityForNewCluster) {
            return;
        }
        takeUpTermFloor();
        if (r.vote == 0 && !plantedNoVoteFloor) {
            // We may have voted in this term before we lost our state: take the vote as cast (for nobody
            // who can ask, as a server never asks itself), so the next vote is in a later term.
            r.vote = r.id;
        }
        active = false;
        reports.clear();
        probedAt.clear();
        Raft.LOG.info(
                "[{}] recovered: votes again from term {} on (commit {}, last {})",
                r.id,
                r.term + 1,
                r.raftLog.committed(),
                r.raftLog.lastIndex());
    }

    private void takeUpTermFloor() {
        long floor = termFloor();
        if (floor > r.term) {
            r.becomeFollower(floor, 0);
        }
    }

    /** The largest term heard: any vote this server may have forgotten was in this term or an earlier one. */
    private long termFloor() {
        long floor = r.term;
        for (Report rep : reports.values()) {
            floor = Math.max(floor, rep.term());
        }
        return floor;
    }

    /**
     * Whether a recovering server may grant this (pre-)vote before it has caught up: only once it knows
     * the terms of enough voters, in a later term than any of them, and for a candidate whose log is at
     * least as up to date as every log they reported. Any entry committed before this server came back
     * is held by one of them (its quorum's other members meet the set heard), and Raft's up-to-date rule
     * then puts it in the candidate's log; so a quorum that needs this server (a two-voter configuration,
     * a joint one) can still elect a leader while it catches up.
     */
    boolean mayVote(RaftMessage m) {
        // Without a configuration it cannot tell whose logs to hear, and the conditions below would hold
        // vacuously. A server becomes a voter only after a leader holds a durable acknowledgement from it
        // (Reconfiguration.requireAcknowledgedVoters), so a blank one that is asked anyway lost its disk
        // after joining: it may have acknowledged entries counted toward a commit, or granted this very
        // vote. It refuses, and the wipe becomes a detected loss (simulator seed 80 is the non-blank case).
        if (r.tracker.voterIds().isEmpty()) {
            if (startedBlank && plantedBlankJoinerVotes) {
                return true;
            }
            if (startedBlank) {
                detectLoss(m);
            }
            return false;
        }
        if ((!votesSomewhere() || otherVoters().isEmpty()) && !startedBlank) {
            return false;
        }
        if (!termsKnown() || (m.getTerm() <= termFloor() && !plantedNoVoteFloor)) {
            return false;
        }
        long lastIndex = m.getVoteRequest().getLastLogIndex();
        long lastTerm = m.getVoteRequest().getLastLogTerm();
        for (Report rep : reports.values()) {
            boolean atLeast = lastTerm > rep.lastTerm() || (lastTerm == rep.lastTerm() && lastIndex >= rep.lastIndex());
            if (!atLeast) {
                return false;
            }
        }
        return true;
    }

    /**
     * A blank server without a configuration was asked for a (pre-)vote: by the rule above it is a voter
     * whose disk was wiped. From now on it recovers as after any detected loss (the recovery flag is
     * already on its disk, written with its first state): it learns the configuration from a leader and
     * catches up before it votes again, and never counts as part of a brand-new cluster.
     */
    private void detectLoss(RaftMessage m) {
        startedBlank = false;
        lossReason = "asked to vote while blank: data lost after joining";
        Raft.LOG.info(
                "[{}] detected a loss: {} (by {} in term {}); refuses every vote until it has caught up",
                r.id,
                lossReason,
                m.getFrom(),
                m.getTerm());
    }

    private boolean allOthersEmpty() {
        int empty = 0;
        for (long peer : otherVoters()) {
            Report rep = reports.get(peer);
            if (rep != null && rep.lastIndex() == 0) {
                empty++;
            } else if (!plantedMajorityForNewCluster) {
                return false;
            }
        }
        if (plantedMajorityForNewCluster && empty + 1 < r.tracker.voterIds().size() / 2 + 1) {
            return false;
        }
        return r.raftLog.lastIndex() == 0;
    }

    private boolean dataSafe() {
        if (allOthersEmpty()) {
            return true;
        }
        return caughtUp() || holdsEveryReportedLog();
    }

    /**
     * Whether this server's log is at least as up to date (Raft's rule) as the log every other voter
     * reported since it came back. Any entry committed before its return lives on a quorum, so on some
     * other voter too, which still holds it (committed entries are never removed) and reported it, and
     * Raft's up-to-date argument puts it in this log. Then nothing needs to be learned: the server may
     * vote and campaign again. This is how a damaged server holding the longest log (it lost its hard
     * state but not its entries) lets the cluster elect a leader when another voter recovers too, for
     * instance one that crashed before the new cluster it was forming was confirmed (simulator seed 159);
     * waiting for a leader there would wait forever, since only its log may win.
     */
    private boolean holdsEveryReportedLog() {
        List<Long> others = otherVoters();
        if (!votesSomewhere() || others.isEmpty() || !reports.keySet().containsAll(others)) {
            return false;
        }
        EntryId mine = r.raftLog.lastEntryId();
        for (Report rep : reports.values()) {
            if (mine.term() < rep.lastTerm() || mine.term() == rep.lastTerm() && mine.index() < rep.lastIndex()) {
                return false;
            }
        }
        return true;
    }

    private boolean caughtUp() {
        long committed = r.raftLog.committed();
        return r.leaderId != 0
                && r.leaderId != r.id
                && commitTarget >= 0
                && committed >= commitTarget
                && committed > 0
                && r.raftLog.termOrZero(committed) == r.term;
    }

    /**
     * Whether it heard enough voters of every configuration it must hear: all of them but itself, or
     * {@code n - q + 1} from settled probes, which meets every quorum's other members. Configurations
     * without this server count too: hearing enough of them is what leads to the configurations after
     * them. A joint configuration's quorums hold a majority of both halves, so {@code n - q + 1} settled
     * answers from either half meet them all; without settled answers, every voter of both halves (the
     * candidate that may hold its forgotten vote among them).
     */
    private boolean termsKnown() {
        List<Membership> required = requiredConfigs();
        if (required.isEmpty()) {
            return false; // no configuration yet, its own or heard: no voters known to hear
        }
        for (Membership c : required) {
            List<Long> in = c.getVotersList();
            List<Long> out = c.getVotersOutgoingList();
            boolean enough = allHeard(in) && allHeard(out) || settledEnough(in) || !out.isEmpty() && settledEnough(out);
            if (!enough) {
                return false;
            }
        }
        return true;
    }

    private boolean allHeard(List<Long> voters) {
        for (long peer : voters) {
            if (peer != r.id && !reports.containsKey(peer)) {
                return false;
            }
        }
        return true;
    }

    /** At least {@code n - q + 1} of these voters, but itself, answered a settled probe. */
    private boolean settledEnough(List<Long> voters) {
        if (settledSequence < 0) {
            return false;
        }
        int settled = 0;
        for (long peer : voters) {
            Report rep = reports.get(peer);
            if (peer != r.id && rep != null && rep.sequence() >= settledSequence) {
                settled++;
            }
        }
        return settled >= voters.size() - (voters.size() / 2 + 1) + 1;
    }

    /** The voters of every configuration this server must hear, but itself. */
    private List<Long> otherVoters() {
        List<Long> out = new ArrayList<>();
        for (long v : probeTargets()) {
            if (v != r.id) {
                out.add(v);
            }
        }
        return out;
    }

    /** Why this server does not vote yet, for status pages; null when it votes normally. */
    String describe() {
        if (!active) {
            return null;
        }
        List<Long> missing = new ArrayList<>();
        for (long peer : otherVoters()) {
            if (!reports.containsKey(peer)) {
                missing.add(peer);
            }
        }
        boolean othersEmpty = missing.isEmpty() || reports.values().stream().allMatch(rep -> rep.lastIndex() == 0);
        String why = lossReason == null ? "" : " (" + lossReason + ")";
        if (r.tracker.voterIds().isEmpty()) {
            return "recovering" + why + ": waiting to learn the configuration from a leader"
                    + (missing.isEmpty() ? "" : " (no answer yet from " + missing + ")");
        }
        if (startedBlank && othersEmpty && r.raftLog.lastIndex() == 0) {
            return "recovering: waiting for every voter to confirm a new cluster (no answer yet from " + missing + ")";
        }
        if (!dataSafe()) {
            if (r.leaderId == 0 || commitTarget < 0) {
                return "recovering: waiting for a leader to catch up from (storage "
                        + (startedBlank ? "empty" : lossReason != null ? "lost: " + lossReason : "lost")
                        + "; no answer yet from " + missing + ")";
            }
            return "recovering" + why + ": waiting to catch up to index "
                    + Math.max(commitTarget, r.raftLog.committed() + 1) + " (at " + r.raftLog.committed() + ")";
        }
        return "recovering: waiting to hear the current term of more voters (no answer yet from " + missing + ")";
    }
}
