package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.Applied;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.NodeState;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OperationTimeoutException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftException;
import io.raftmanager.RaftListener;
import io.raftmanager.Role;
import io.raftmanager.core.Raft;
import io.raftmanager.core.ReadState;
import io.raftmanager.core.Ready;
import io.raftmanager.core.SoftState;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SessionEntry;
import io.raftmanager.spi.StorageFullException;
import io.raftmanager.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a group's {@link Raft} core. It drains its inbox in batches (so many
 * proposals and messages share one Ready, one write and one sync), turns wall time into ticks, and hands
 * each Ready's effects to the transport, the {@link LogWriter} and the {@link Applier}.
 */
final class EventLoop implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final int MAX_INPUTS_PER_PASS = 16_384;
    /**
     * Ticks without a client input before a leader tries to quiesce: waking costs a heartbeat round, so a
     * group written every few ticks stays awake rather than flapping (CockroachDB waits a few ticks too).
     */
    static final int QUIESCE_AFTER_TICKS = 3;

    private final Raft raft;
    private final Transport transport;
    private final LogWriter writer;
    private final Applier applier;
    private final SnapshotTransfer snapshots;
    private final Scheduler scheduler;
    private final NodeMetrics metrics;
    private final long tickNanos;
    private final long readTimeoutNanos;
    private final Mailbox<Object> inbox;
    private final ConsistencyVerifier verifier;
    private final TreeMap<Long, Inputs.PendingProposal> pending = new TreeMap<>();
    private final Map<ByteString, Inputs.PendingRead> pendingReads = new HashMap<>();
    private final List<Inputs.PendingChange> pendingChanges = new ArrayList<>();
    private Inputs.Transfer pendingTransfer;
    private long transferDeadlineNanos;
    private long readSeq;
    /** Distinguishes this process's read contexts from an earlier incarnation's (clock readings mixed). */
    private final long incarnation;

    private final CopyOnWriteArrayList<RaftListener> listeners;
    private final Consumer<Inputs.Fatal> onFatal;
    private long nextTickNanos;
    private long leaderTerm;
    private long leaderSinceNanos;
    private int writesInFlight;
    /** When the writer last made progress, or was handed work while idle: a stall is measured from it. */
    private long writesWaitingSince;

    private Role role = Role.FOLLOWER;
    private long leader;
    private boolean failed;
    static final long MIN_DISK_STALL_NANOS = 5_000_000_000L;
    /** A leader whose disk write takes longer than this hands leadership off. */
    private final long diskStallNanos;
    /** What {@link io.raftmanager.RaftNode#state()} shows: written on the loop only, read from any thread. */
    private volatile NodeState view;
    /** Set before start by a host that detects dead servers and wakes groups (RaftServer). */
    private boolean quiesceWhenIdle;
    /** The core was quiesced at the end of the last pass: it owes no ticks for the time since. */
    private volatile boolean asleep;
    /** Shared by the groups of one server to limit campaigns at once; null: campaign freely. */
    private ElectionPermits permits;
    /** This group campaigns with one of {@link #permits}. */
    private boolean holdsPermit;
    /** Set by a host whose groups take turns to campaign ({@link ElectionTurns}); null: no turns. */
    private ElectionTurns turns;
    /** Ticks this group has been due to campaign without a leader while earlier servers had their turn. */
    private int turnWaited;

    private long turnGroup;
    private int turnElectionTicks;

    private int ticksWithoutClientInput;

    EventLoop(
            Raft raft,
            Mailbox<Object> inbox,
            Transport transport,
            LogWriter writer,
            Applier applier,
            SnapshotTransfer snapshots,
            Scheduler scheduler,
            NodeMetrics metrics,
            long tickNanos,
            long readTimeoutTicks,
            long diskStallMillis,
            CopyOnWriteArrayList<RaftListener> listeners,
            Consumer<Inputs.Fatal> onFatal,
            ConsistencyVerifier verifier) {
        this.raft = raft;
        this.verifier = verifier;
        this.inbox = inbox;
        this.transport = transport;
        this.writer = writer;
        this.applier = applier;
        this.snapshots = snapshots;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.tickNanos = tickNanos;
        this.readTimeoutNanos = tickNanos * readTimeoutTicks;
        // By default four election timeouts, and never under 5 s: a loaded machine's fsync can take a
        // second or two, and handing leadership around for that would hurt more than the wait.
        this.diskStallNanos = diskStallMillis > 0
                ? TimeUnit.MILLISECONDS.toNanos(diskStallMillis)
                : Math.max(2 * readTimeoutNanos, MIN_DISK_STALL_NANOS);
        this.listeners = listeners;
        this.onFatal = onFatal;
        this.nextTickNanos = scheduler.nanoTime() + tickNanos;
        this.incarnation = scheduler.currentTimeMillis() * 0x9E3779B97F4A7C15L ^ scheduler.nanoTime();
        publishView();
    }

    /** The latest published view; any thread. */
    NodeState view() {
        return view;
    }

    /** Publishes a new view if anything it shows changed; allocates only then. */
    private void publishView() {
        NodeState v = view;
        Role r = raft.role();
        long term = raft.term();
        long leaderId = raft.leaderId();
        long commit = raft.log().committed();
        long applied = raft.log().applied();
        long last = raft.log().lastIndex();
        if (v != null
                && v.role() == r
                && v.term() == term
                && v.leader().orElse(0) == leaderId
                && v.commitIndex() == commit
                && v.appliedIndex() == applied
                && v.lastIndex() == last) {
            return;
        }
        view = new NodeState(
                raft.id(),
                r,
                term,
                leaderId == 0 ? OptionalLong.empty() : OptionalLong.of(leaderId),
                commit,
                Math.min(applied, commit),
                last);
    }

    @Override
    public long idleNanos() {
        if (asleep && pendingReads.isEmpty() && pendingTransfer == null) {
            return Long.MAX_VALUE; // no timer at all: an input wakes the loop
        }
        return Math.max(0, nextTickNanos - scheduler.nanoTime());
    }

    /**
     * Lets the leader quiesce the group when idle (see {@link Raft#quiesce()}); only for a host that wakes
     * quiesced followers when their leader's server dies. Call before the loop starts.
     */
    void quiesceWhenIdle() {
        quiesceWhenIdle = true;
    }

    /** Campaigns only with a permit from {@code shared} (see {@link ElectionPermits}). Call before start. */
    void limitElections(ElectionPermits shared) {
        permits = shared;
    }

    /** Campaigns in its turn (see {@link ElectionTurns}). Call before start. */
    void takeElectionTurns(ElectionTurns shared, long groupId, int electionTicks) {
        turns = shared;
        turnGroup = groupId;
        turnElectionTicks = electionTicks;
    }

    /** Whether the disk is full: writes wait for space and proposals are refused (any thread). */
    boolean diskFull() {
        return writer.diskFull();
    }

    /** Whether the core was quiesced at the end of the last pass (any thread; for counts). */
    boolean quiesced() {
        return asleep;
    }

    /** Loop thread: the server {@code node} looks dead; wake this core if it follows a leader there. */
    void leaderServerSuspected(long node) {
        if (raft.quiesced() && raft.role() != Role.LEADER && raft.leaderId() == node) {
            raft.wake(scheduler.nanoTime());
        }
    }

    @Override
    public int doWork() {
        if (failed) {
            return 0;
        }
        int work = 0;
        List<Inputs.Proposal> proposals = null;
        Object in;
        while (work < MAX_INPUTS_PER_PASS && (in = inbox.poll()) != null) {
            work++;
            if (in instanceof RaftMessage m) {
                if (m.hasInstallSnapshotRequest() || m.hasInstallSnapshotResponse()) {
                    toSnapshotTransfer(m);
                } else if (!verifier.intercept(m)) {
                    step(m);
                }
            } else if (in instanceof Inputs.Proposal p) {
                ticksWithoutClientInput = 0;
                if (proposals == null) {
                    proposals = new ArrayList<>();
                }
                proposals.add(p);
            } else if (in instanceof Inputs.Read r) {
                ticksWithoutClientInput = 0;
                startRead(r);
            } else if (in instanceof Inputs.ChangeMembership c) {
                ticksWithoutClientInput = 0;
                changeMembership(c);
            } else if (in instanceof Inputs.Transfer t) {
                ticksWithoutClientInput = 0;
                transfer(t);
            } else if (in instanceof Inputs.Persisted p) {
                writesInFlight -= p.count();
                writesWaitingSince = scheduler.nanoTime(); // progress: a stall counts from here
                for (RaftMessage m : p.messagesAfterPersist()) {
                    transport.send(m);
                }
                raft.persisted(p.readyNumber());
            } else if (in instanceof Inputs.AppliedUpTo a) {
                raft.applied(a.index());
            } else if (in instanceof Inputs.SnapshotReceived s) {
                step(s.message());
            } else if (in instanceof Inputs.SnapshotReport s) {
                raft.reportSnapshot(s.peer(), s.succeeded());
            } else if (in instanceof Inputs.SnapshotTaken s) {
                writer.snapshotTaken(s.meta().getIndex());
            } else if (in instanceof Inputs.Fatal f) {
                fail(f);
                if (proposals != null) {
                    // Taken from the inbox in this pass but never handed to the core: not carried out.
                    io.raftmanager.ClosedException e = new io.raftmanager.ClosedException(
                            "node " + raft.id() + " stopped after a failure", f.cause());
                    proposals.forEach(p -> p.future().completeExceptionally(e));
                }
                return work;
            } else if (in instanceof Runnable r) {
                r.run();
            }
        }
        if (proposals != null) {
            propose(proposals);
        }
        long now = scheduler.nanoTime();
        if (quiesceWhenIdle) {
            raft.clock(now); // a follower that quiesced in this pass learns when
            if (asleep && now - nextTickNanos >= 0) {
                nextTickNanos = now; // it slept without a timer: one tick now, none for the time asleep
            }
        }
        while (now - nextTickNanos >= 0) {
            if (!verifier.diverged()) { // a diverged server must not campaign (or, as leader, carry on)
                raft.tick(now, mayCampaign());
                if (quiesceWhenIdle && ++ticksWithoutClientInput >= QUIESCE_AFTER_TICKS && runtimeIdle()) {
                    raft.quiesce();
                }
            }
            if (verifier.markerDue()) {
                proposeDigestMarker();
            }
            nextTickNanos += tickNanos;
            work++;
            reportReplication();
            expireReads(now);
            expireTransfer(now);
            handOffIfDiskStalls(now);
        }
        while (raft.hasReady()) {
            handleReady(raft.ready());
            work++;
        }
        asleep = raft.quiesced();
        if (holdsPermit && raft.role() != Role.PRE_CANDIDATE && raft.role() != Role.CANDIDATE) {
            releasePermit(); // elected, or following a leader again, or the campaign could not start
        }
        publishView();
        return work;
    }

    /** A pass stops at {@link #MAX_INPUTS_PER_PASS}; the rest was posted before it began (no wake pending). */
    @Override
    public boolean hasLeftoverWork() {
        return !failed && !inbox.isEmpty();
    }

    /**
     * Whether the coming tick may start the election it is due to start: always without {@link #permits};
     * otherwise only with a permit. A group still campaigning when its next timeout runs out gives its
     * permit back and asks again at the next tick, behind the groups that have been waiting.
     */
    private boolean mayCampaign() {
        if (!raft.campaignDue()) {
            if (raft.leaderId() != 0) {
                turnWaited = 0; // a leader is heard: the turns start again once it is gone
            }
            return true;
        }
        if (permits == null && turns == null) {
            return true;
        }
        if (holdsPermit) {
            releasePermit();
            return false;
        }
        if (turns != null
                && !turns.mayCampaign(
                        turnGroup, raft.id(), raft.membership().getVotersList(), ++turnWaited, turnElectionTicks)) {
            return false;
        }
        if (permits == null) {
            return true;
        }
        holdsPermit = permits.tryAcquire();
        return holdsPermit;
    }

    private void releasePermit() {
        if (holdsPermit) {
            holdsPermit = false;
            permits.release();
        }
    }

    /** Nothing waits on this server's loop: no proposal, read, change, transfer or write in flight. */
    private boolean runtimeIdle() {
        return role == Role.LEADER
                && pending.isEmpty()
                && pendingReads.isEmpty()
                && pendingChanges.isEmpty()
                && pendingTransfer == null
                && writesInFlight == 0;
    }

    /** Snapshot chunks and their answers go to the transfer worker; those of an older term are stale. */
    private void toSnapshotTransfer(RaftMessage m) {
        if (m.getTerm() < raft.term()) {
            return;
        }
        snapshots.submit(m);
    }

    private void step(RaftMessage m) {
        try {
            raft.step(m);
        } catch (InvalidMessageException e) {
            LOG.warn("[{}] dropped a message from {}: {}", raft.id(), m.getFrom(), e.getMessage());
        }
    }

    private void propose(List<Inputs.Proposal> proposals) {
        if (writer.diskFull()) {
            StorageFullException e = new StorageFullException(
                    "node " + raft.id() + " refuses writes: its disk is full (they resume when space returns)");
            proposals.forEach(p -> p.future().completeExceptionally(e));
            metrics.recordRejected("disk-full");
            return;
        }
        if (raft.role() != Role.LEADER) {
            NotLeaderException e = new NotLeaderException(raft.id(), raft.leaderId());
            proposals.forEach(p -> p.future().completeExceptionally(e));
            metrics.recordRejected("not-leader");
            return;
        }
        List<ByteString> commands = new ArrayList<>(proposals.size());
        boolean anyInSession = false;
        for (Inputs.Proposal p : proposals) {
            commands.add(p.inSession() ? sessionEntry(p) : p.command());
            anyInSession |= p.inSession();
        }
        List<EntryType> types = null;
        if (anyInSession) {
            types = new ArrayList<>(proposals.size());
            for (Inputs.Proposal p : proposals) {
                types.add(p.inSession() ? EntryType.ENTRY_TYPE_SESSION : EntryType.ENTRY_TYPE_NORMAL);
            }
        }
        List<EntryId> ids;
        try {
            ids = raft.proposeBatch(commands, types);
        } catch (RaftException e) {
            proposals.forEach(p -> p.future().completeExceptionally(e));
            metrics.recordRejected("dropped");
            return;
        }
        for (int i = 0; i < ids.size(); i++) {
            pending.put(
                    ids.get(i).index(),
                    new Inputs.PendingProposal(
                            ids.get(i).term(), proposals.get(i).future()));
        }
        metrics.recordProposals(ids.size());
    }

    /** Wraps a session proposal, stamped with this leader's monotonic time in its term (session expiry). */
    private ByteString sessionEntry(Inputs.Proposal p) {
        markLeadership();
        long elapsed = (scheduler.nanoTime() - leaderSinceNanos) / 1_000_000;
        SessionEntry.Builder b = SessionEntry.newBuilder().setLeaderElapsedMillis(elapsed);
        if (p.sequence() != Inputs.Proposal.REGISTER) {
            b.setSessionId(p.sessionId()).setSequence(p.sequence()).setCommand(p.command());
        }
        return b.build().toByteString();
    }

    /** Notes when this server began leading the current term (monotonic), once per term. */
    private void markLeadership() {
        if (leaderTerm != raft.term()) {
            leaderTerm = raft.term();
            leaderSinceNanos = scheduler.nanoTime();
        }
    }

    private void proposeDigestMarker() {
        try {
            raft.proposeBatch(List.of(ByteString.EMPTY), List.of(EntryType.ENTRY_TYPE_DIGEST_MARKER));
        } catch (RaftException e) {
            LOG.debug("[{}] no digest marker now: {}", raft.id(), e.getMessage());
        }
    }

    private void handleReady(Ready rd) {
        if (rd.softState() != null) {
            onSoftState(rd.softState());
        }
        for (RaftMessage m : rd.messages()) {
            if (m.hasInstallSnapshotRequest()) {
                snapshots.submit(new Inputs.SendSnapshot(m)); // a request to stream one, not a wire message
            } else {
                transport.send(m);
            }
        }
        metrics.recordCommitted(raft.commitIndex());
        if (rd.hasPersistWork() && writesInFlight == 0 && LogWriter.writableByLoop(rd)) {
            boolean done;
            try {
                writer.writeOnLoop(rd);
                done = true;
            } catch (StorageFullException e) {
                done = false; // the writer retries it until space returns
            } catch (RuntimeException e) {
                fail(new Inputs.Fatal("log writer", e));
                return;
            }
            if (done) {
                for (RaftMessage m : rd.messagesAfterPersist()) {
                    transport.send(m);
                }
                raft.persisted(rd.number());
            } else {
                submit(rd);
            }
        } else if (rd.hasPersistWork() || writesInFlight > 0) {
            // Readys are acknowledged in order, so one with nothing to write still waits behind earlier ones.
            submit(rd);
        } else {
            for (RaftMessage m : rd.messagesAfterPersist()) {
                transport.send(m);
            }
            raft.persisted(rd.number());
        }
        if (!rd.entriesToApply().isEmpty()) {
            applier.submit(applyBatch(rd.entriesToApply(), rd.snapshot() == null ? rd.membership() : null));
            completeChanges(rd.entriesToApply(), rd.membership());
        }
        if (rd.snapshot() != null) {
            applier.submit(new Inputs.Restore(rd.snapshot()));
        }
        if (rd.membership() != null) {
            for (RaftListener l : listeners) {
                try {
                    l.onMembershipChange(ApiTypes.membership(rd.membership()));
                } catch (RuntimeException e) {
                    LOG.warn("[{}] listener failed", raft.id(), e);
                }
            }
        }
        for (ReadState rs : rd.readStates()) {
            Inputs.PendingRead r = pendingReads.remove(rs.context());
            if (r != null) {
                // The applier answers it once the state machine has applied rs.index().
                applier.submit(new Inputs.Query(r.query(), Math.max(rs.index(), r.minIndex()), r.future()));
            }
        }
    }

    private void changeMembership(Inputs.ChangeMembership c) {
        try {
            EntryId id = raft.proposeMembershipChange(c.change(), c.force());
            pendingChanges.add(new Inputs.PendingChange(id.index(), id.term(), c.future()));
        } catch (RaftException e) {
            c.future().completeExceptionally(e);
        }
    }

    /** A configuration takes effect when its entry is handed out for applying: the core has switched. */
    private void completeChanges(List<Entry> applied, Membership changed) {
        if (pendingChanges.isEmpty()) {
            return;
        }
        long first = applied.get(0).getIndex();
        long last = applied.get(applied.size() - 1).getIndex();
        pendingChanges.removeIf(p -> {
            if (p.index() > last) {
                return false;
            }
            if (p.index() < first || applied.get((int) (p.index() - first)).getTerm() != p.term()) {
                p.future().completeExceptionally(new ProposalDroppedException("configuration entry replaced"));
            } else {
                p.future().complete(ApiTypes.membership(changed != null ? changed : raft.membership()));
            }
            return true;
        });
    }

    private void transfer(Inputs.Transfer t) {
        try {
            raft.transferLeadership(t.target());
        } catch (RaftException e) {
            t.future().completeExceptionally(e);
            return;
        }
        if (pendingTransfer != null) {
            pendingTransfer
                    .future()
                    .completeExceptionally(new OperationTimeoutException("superseded by a new transfer"));
        }
        pendingTransfer = t;
        transferDeadlineNanos = scheduler.nanoTime() + readTimeoutNanos;
    }

    private void submit(Ready rd) {
        if (writesInFlight++ == 0) {
            writesWaitingSince = scheduler.nanoTime();
        }
        writer.submit(rd);
    }

    /**
     * A leader whose disk is full, or whose write has not completed within the bound, cannot append: it
     * hands leadership to a voter that can, instead of holding the group hostage.
     */
    private void handOffIfDiskStalls(long now) {
        if (raft.role() != Role.LEADER) {
            return;
        }
        long stalled = writesInFlight > 0 ? now - writesWaitingSince : 0;
        String why = writer.diskFull()
                ? "its disk is full"
                : stalled > diskStallNanos ? "a disk write has stalled for " + stalled / 1_000_000 + " ms" : null;
        if (why != null && raft.handOffLeadership(why)) {
            metrics.recordDiskStallStepDown();
        }
    }

    private void expireTransfer(long now) {
        if (pendingTransfer != null && now - transferDeadlineNanos >= 0) {
            pendingTransfer
                    .future()
                    .completeExceptionally(new OperationTimeoutException(
                            "leadership did not move to " + pendingTransfer.target() + " in time"));
            pendingTransfer = null;
        }
    }

    private void startRead(Inputs.Read r) {
        // Unique per incarnation: a late answer to a read of this server's previous process must not match.
        ByteString ctx = ByteString.copyFrom(ByteBuffer.allocate(2 * Long.BYTES)
                .putLong(incarnation)
                .putLong(++readSeq)
                .array());
        try {
            raft.readIndex(ctx, r.allowLease(), scheduler.nanoTime()); // the lease is judged now, not at the last tick
        } catch (RaftException e) {
            r.future().completeExceptionally(e);
            return;
        }
        pendingReads.put(
                ctx,
                new Inputs.PendingRead(r.query(), r.minIndex(), r.future(), scheduler.nanoTime() + readTimeoutNanos));
    }

    /** A confirmation that never comes (a leader change, a lost message) must not leave a read hanging. */
    private void expireReads(long now) {
        if (pendingReads.isEmpty()) {
            return;
        }
        pendingReads.values().removeIf(r -> {
            if (now - r.deadlineNanos() >= 0) {
                r.future().completeExceptionally(new OperationTimeoutException("read not confirmed in time"));
                return true;
            }
            return false;
        });
    }

    private Inputs.ApplyBatch applyBatch(List<Entry> entries, Membership membership) {
        List<CompletableFuture<Applied>> futures = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Inputs.PendingProposal p = pending.remove(e.getIndex());
            if (p == null) {
                futures.add(null);
            } else if (p.term() == e.getTerm()) {
                futures.add(p.future());
            } else {
                // Another leader's entry took this index, so ours can never be applied anywhere.
                p.future()
                        .completeExceptionally(new ProposalDroppedException(
                                "entry " + p.term() + "/" + e.getIndex() + " was replaced by a new leader's entry"));
                futures.add(null);
            }
        }
        return new Inputs.ApplyBatch(entries, futures, membership);
    }

    private void onSoftState(SoftState ss) {
        Role old = role;
        role = ss.role();
        if (old == Role.LEADER && role != Role.LEADER && !pending.isEmpty()) {
            // Our entries may still commit under the next leader, or be overwritten: nobody can tell yet.
            IndeterminateResultException e = new IndeterminateResultException(
                    "leadership lost at term " + raft.term() + " before the entry was known committed");
            pending.values().forEach(p -> p.future().completeExceptionally(e));
            pending.clear();
        }
        if (role == Role.LEADER && old != Role.LEADER) {
            markLeadership();
            metrics.recordElection();
        }
        if (old == Role.LEADER && role != Role.LEADER) {
            snapshots.submit(new Inputs.StopSending());
        }
        if (ss.leader() != leader) {
            leader = ss.leader();
            metrics.recordLeaderChange();
        }
        if (pendingTransfer != null && leader == pendingTransfer.target()) {
            pendingTransfer.future().complete(null);
            pendingTransfer = null;
        }
        if (old == Role.LEADER && role != Role.LEADER && !pendingChanges.isEmpty()) {
            IndeterminateResultException e = new IndeterminateResultException(
                    "leadership lost before the configuration entry was known committed");
            pendingChanges.forEach(p -> p.future().completeExceptionally(e));
            pendingChanges.clear();
        }
        publishView();
        OptionalLong known = leader == 0 ? OptionalLong.empty() : OptionalLong.of(leader);
        for (RaftListener l : listeners) {
            try {
                l.onRoleChange(role, raft.term(), known);
            } catch (RuntimeException e) {
                LOG.warn("[{}] listener failed", raft.id(), e);
            }
        }
    }

    private void fail(Inputs.Fatal f) {
        failed = true;
        releasePermit();
        LOG.error("[{}] stopping: {} failed", raft.id(), f.where(), f.cause());
        onFatal.accept(f);
    }

    /**
     * Fails every future still waiting on the loop, for close; call only after the worker stopped.
     * Proposals already in the log may yet commit elsewhere, so their outcome is unknown; proposals never
     * handed to the core were not carried out.
     */
    void failUnfinished(RaftException closed) {
        IndeterminateResultException unknown =
                new IndeterminateResultException("node closed before the entry was known committed");
        pending.values().forEach(p -> p.future().completeExceptionally(unknown));
        pending.clear();
        pendingReads.values().forEach(r -> r.future().completeExceptionally(closed));
        pendingReads.clear();
        pendingChanges.forEach(p -> p.future().completeExceptionally(unknown));
        pendingChanges.clear();
        releasePermit();
        if (pendingTransfer != null) {
            pendingTransfer.future().completeExceptionally(closed);
        }
        Object in;
        while ((in = inbox.poll()) != null) {
            if (in instanceof Inputs.Proposal p) {
                p.future().completeExceptionally(closed);
            } else if (in instanceof Inputs.Read r) {
                r.future().completeExceptionally(closed);
            } else if (in instanceof Inputs.ChangeMembership c) {
                c.future().completeExceptionally(closed);
            } else if (in instanceof Inputs.Transfer t) {
                t.future().completeExceptionally(closed);
            }
        }
    }

    /** A leader's followers' progress, once a tick; skipped when nobody records it. */
    private void reportReplication() {
        if (metrics != NodeMetrics.NOOP && raft.role() == Role.LEADER) {
            var status = raft.status();
            long last = status.lastIndex();
            raft.matchIndexes().forEach((peer, match) -> {
                if (peer != status.id()) {
                    metrics.recordReplication(peer, match, last);
                }
            });
        }
    }

    /** The core, for tasks already running on the loop thread (posted Runnables). */
    Raft raftForLoopThread() {
        return raft;
    }
}
