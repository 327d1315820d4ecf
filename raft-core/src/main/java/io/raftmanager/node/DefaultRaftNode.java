package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.Applied;
import io.raftmanager.ClientSession;
import io.raftmanager.ClosedException;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.LiveQuorumCheck;
import io.raftmanager.Membership;
import io.raftmanager.MembershipChange;
import io.raftmanager.NodeState;
import io.raftmanager.NodeStatus;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.ReplicaDivergedException;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.StateMachine;
import io.raftmanager.core.Raft;
import io.raftmanager.core.Status;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.Transport;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The runtime around one {@link Raft} core: an {@link EventLoop}, a {@link LogWriter}, an {@link
 * Applier}, a {@link SnapshotTaker} and a {@link SnapshotTransfer}, each a {@link Worker} run by the
 * {@link Scheduler}. At start-up the state machine is restored from the latest snapshot and the log is
 * replayed after it. Use {@link RaftNode#builder()} to create
 * one; this class is public only so that builder can reach it.
 */
public final class DefaultRaftNode implements RaftNode {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DefaultRaftNode.class);
    private final RaftConfig config;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final Scheduler scheduler;
    private final NodeMetrics metrics;
    private final Mailbox<Object> inbox = new Mailbox<>();
    private final EventLoop loop;
    private final LogWriter writer;
    private final Applier applier;
    private final CommandApplier commands;
    private final ConsistencyVerifier verifier;
    private final SnapshotTaker taker;
    private final SnapshotTransfer transfer;
    private final CopyOnWriteArrayList<RaftListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile Throwable failure;
    private WorkerHandle loopHandle;
    private WorkerHandle writerHandle;
    private WorkerHandle applierHandle;
    private WorkerHandle takerHandle;
    private WorkerHandle transferHandle;

    private DefaultRaftNode(
            RaftConfig config,
            LogStorage storage,
            SnapshotStore snapshotStore,
            Transport transport,
            StateMachine stateMachine,
            Scheduler scheduler,
            RandomGenerator random,
            NodeMetrics metrics) {
        this.config = config;
        this.transport = transport;
        this.stateMachine = stateMachine;
        this.scheduler = scheduler;
        this.metrics = metrics;
        SnapshotMeta latest = recoverSnapshot(config, storage, snapshotStore);
        Raft raft = Raft.create(config, storage, storage.initialState(), random);
        this.writer = new LogWriter(
                storage, metrics, inbox, scheduler, config.snapshot().trailingEntries());
        this.commands = new CommandApplier(
                stateMachine,
                new SessionTable(config.sessionTimeoutMillis(), config.sessionResultWindow(), config.maxSessions()),
                (index, digest) -> inbox.post((Runnable) () -> verifierOnLoop().onLocalDigest(index, digest)));
        long base = raft.log().applied();
        this.applier = new Applier(
                stateMachine,
                commands,
                inbox,
                metrics,
                snapshotStore,
                config.snapshot(),
                List.of(commands),
                scheduler,
                new Applier.AppliedPoint(
                        base, storage.term(base), storage.initialState().membership()));
        if (latest != null) {
            try {
                applier.restore(latest);
            } catch (IOException | RuntimeException e) {
                throw new StorageException("restoring snapshot " + SnapshotIds.describe(latest) + " failed", e);
            }
        }
        this.taker = new SnapshotTaker(
                config.nodeId(), snapshotStore, inbox, () -> applier.submit((Runnable) () -> {}), metrics, scheduler);
        applier.setTaker(taker);
        this.transfer = new SnapshotTransfer(config, snapshotStore, transport, inbox, metrics, scheduler);
        this.verifier = new ConsistencyVerifier(config, raft, transport, applier, metrics, listeners);
        this.loop = new EventLoop(
                raft,
                inbox,
                transport,
                writer,
                applier,
                transfer,
                scheduler,
                metrics,
                TimeUnit.MILLISECONDS.toNanos(config.tickMillis()),
                2L * config.electionTicks(),
                config.diskStallMillis(),
                listeners,
                this::onFatal,
                verifier);
    }

    private ConsistencyVerifier verifierOnLoop() {
        return verifier;
    }

    /** Creates a node; {@link io.raftmanager.RaftNodeBuilder#build()} is the public way in. */
    public static DefaultRaftNode create(
            RaftConfig config,
            LogStorage storage,
            SnapshotStore snapshotStore,
            Transport transport,
            StateMachine stateMachine,
            Scheduler scheduler,
            RandomGenerator random,
            NodeMetrics metrics) {
        return new DefaultRaftNode(config, storage, snapshotStore, transport, stateMachine, scheduler, random, metrics);
    }

    /**
     * Makes the log agree with the latest snapshot before the core reads it: if the snapshot is newer than
     * the log's base point (a crash came between storing a snapshot and recording it in the log, or the log
     * was compacted behind it), the log is rolled forward to it, as installing it would have done.
     *
     * @return the snapshot to restore the state machine from, or null if there is none
     * @throws StorageException if the log was compacted past every snapshot held (the store was lost)
     */
    private static SnapshotMeta recoverSnapshot(RaftConfig config, LogStorage storage, SnapshotStore store) {
        SnapshotMeta latest = store.latest();
        SnapshotMeta base = storage.snapshot();
        if (latest != null && latest.getIndex() >= base.getIndex() && !latest.equals(base)) {
            storage.write(new LogBatch(null, List.of(), latest, true));
        } else if (base.getIndex() > 0 && (latest == null || latest.getIndex() < base.getIndex())) {
            throw new StorageException("node " + config.nodeId() + ": the log starts after " + base.getIndex()
                    + " but the snapshot store holds " + (latest == null ? "nothing" : SnapshotIds.describe(latest)));
        }
        if (latest != null) {
            verifyPayload(config, store, latest);
        }
        return latest;
    }

    /**
     * A snapshot restored locally is checked against its payload checksum first, as a transferred one is:
     * a damaged one is never handed to the state machine.
     *
     * @throws SnapshotChecksumException if the payload does not match; the remedy is to delete the node's
     *     data directory and restart it, and it recovers from its peers (docs/storage-faults.md)
     */
    static void verifyPayload(RaftConfig config, SnapshotStore store, SnapshotMeta meta) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long size = 0;
        byte[] buf = new byte[64 << 10];
        try (java.io.InputStream in = store.open(meta, 0)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw new StorageException(
                    "node " + config.nodeId() + ": cannot read snapshot " + SnapshotIds.describe(meta), e);
        }
        if (size != meta.getSizeBytes() || (int) crc.getValue() != meta.getChecksum()) {
            throw new SnapshotChecksumException("node " + config.nodeId() + ": snapshot " + SnapshotIds.describe(meta)
                    + " is damaged (" + size + " bytes with CRC32C " + Integer.toHexString((int) crc.getValue())
                    + ", expected " + meta.getSizeBytes() + " with " + Integer.toHexString(meta.getChecksum())
                    + "); delete this node's data directory and restart it: it recovers from its peers");
        }
    }

    @Override
    public void start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            return;
        }
        String name = "raft-" + config.groupId() + "-" + config.nodeId();
        // One affinity for the group's workers: its loop workers share one event loop.
        writerHandle = scheduler.start(
                name + "-log-writer",
                failsNode(writer, "log writer"),
                writer.runsOnLoop() ? WorkerKind.LOOP : WorkerKind.DISK,
                this);
        writer.bind(writerHandle);
        WorkerKind applyKind = stateMachine.applyOnEventLoop() ? WorkerKind.LOOP : WorkerKind.BLOCKING;
        applierHandle = scheduler.start(name + "-applier", failsNode(applier, "applier"), applyKind, this);
        applier.bind(applierHandle);
        takerHandle =
                scheduler.start(name + "-snapshot", failsNode(taker, "snapshot taker"), WorkerKind.BLOCKING, this);
        taker.bind(takerHandle);
        transferHandle = scheduler.start(
                name + "-snapshot-transfer", failsNode(transfer, "snapshot transfer"), WorkerKind.BLOCKING, this);
        transfer.bind(transferHandle);
        // The transport starts before the loop's first tick: a message sent earlier is dropped unseen (a
        // recovering server's first probes were, and it waited a whole probe round). What arrives before
        // the loop runs waits in the inbox.
        transport.start(new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                if (!closed.get()) {
                    inbox.post(message);
                }
            }

            @Override
            public void onUnreachable(long groupId, long peer) {
                if (!closed.get() && groupId == config.groupId()) {
                    inbox.post((Runnable) () -> loop_reportUnreachable(peer));
                }
            }
        });
        loopHandle = scheduler.start(name + "-loop", failsNode(loop, "event loop"), WorkerKind.LOOP, this);
        inbox.bind(loopHandle);
        loopHandle.wake();
    }

    /**
     * Lets this group quiesce when idle: its leader stops ticking and heartbeating once every member holds
     * the whole committed log, until any input wakes it. Only for a host that calls {@link
     * #leaderServerSuspected} when a server stops being heard from (a quiesced follower counts no election
     * time on its own). Call before {@link #start()}.
     */
    public void quiesceWhenIdle() {
        loop.quiesceWhenIdle();
    }

    /**
     * Starts elections only with a permit from {@code permits}, which the groups of one server share, so
     * that many groups timing out together campaign a few at a time. Call before {@link #start()}.
     */
    public void limitElections(ElectionPermits permits) {
        loop.limitElections(java.util.Objects.requireNonNull(permits, "permits"));
    }

    /**
     * Lets this group campaign only in its turn (see {@link ElectionTurns}), shared by the groups of one
     * server. Call before start.
     */
    public void takeElectionTurns(ElectionTurns turns) {
        loop.takeElectionTurns(
                java.util.Objects.requireNonNull(turns, "turns"), config.groupId(), config.electionTicks());
    }

    /** Whether the group is quiesced on this server. */
    public boolean quiesced() {
        return loop.quiesced();
    }

    /**
     * Server {@code node} has not been heard from for a while: if this group is quiesced here following a
     * leader on that server, wake it so it elects a new leader as an unquiesced follower would.
     */
    public void leaderServerSuspected(long node) {
        if (!closed.get() && loopHandle != null) {
            inbox.post((Runnable) () -> loop.leaderServerSuspected(node));
        }
    }

    /** Test hook: runs {@code action} on the loop thread with the core. */
    void onLoop(java.util.function.Consumer<Raft> action) {
        inbox.post((Runnable) () -> action.accept(raftOnLoop()));
    }

    private void loop_reportUnreachable(long peer) {
        raftOnLoop().reportUnreachable(peer);
    }

    private Raft raftOnLoop() {
        return loop.raftForLoopThread();
    }

    @Override
    public CompletableFuture<ByteString> propose(ByteString command) {
        return resultOf(submit(command));
    }

    @Override
    public CompletableFuture<Applied> submit(ByteString command) {
        return propose(new Inputs.Proposal(Objects.requireNonNull(command, "command"), new CompletableFuture<>()));
    }

    @Override
    public CompletableFuture<ByteString> propose(ByteString command, long sessionId, long sequence) {
        Objects.requireNonNull(command, "command");
        if (sessionId <= 0 || sequence <= 0) {
            throw new IllegalArgumentException("session " + sessionId + " and sequence " + sequence + " must be > 0");
        }
        return resultOf(propose(new Inputs.Proposal(command, sessionId, sequence, new CompletableFuture<>())));
    }

    /** The result alone, failing with the same exception (not wrapped, as {@code thenApply} would). */
    private static CompletableFuture<ByteString> resultOf(CompletableFuture<Applied> applied) {
        return map(applied, Applied::result);
    }

    private static <A, B> CompletableFuture<B> map(CompletableFuture<A> source, Function<A, B> fn) {
        CompletableFuture<B> out = new CompletableFuture<>();
        source.whenComplete((a, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(fn.apply(a));
            }
        });
        return out;
    }

    @Override
    public CompletableFuture<ClientSession> registerSession() {
        return propose(new Inputs.Proposal(ByteString.EMPTY, 0, Inputs.Proposal.REGISTER, new CompletableFuture<>()))
                .thenApply(id -> ClientSession.resume(this, CommandApplier.sessionId(id.result()), 0));
    }

    private CompletableFuture<Applied> propose(Inputs.Proposal proposal) {
        ByteString command = proposal.command();
        CompletableFuture<Applied> f = proposal.future();
        RuntimeException refused = refuseIfUnavailableOrDiverged();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        int size = command.size();
        if (size > config.maxMessageBytes()) {
            f.completeExceptionally(new ProposalDroppedException(
                    "command of " + size + " bytes exceeds maxMessageBytes " + config.maxMessageBytes()));
            return f;
        }
        if (pendingCount.incrementAndGet() > config.maxPendingProposals()
                || pendingBytes.addAndGet(size) > config.maxPendingProposalBytes()) {
            pendingCount.decrementAndGet();
            pendingBytes.addAndGet(-size);
            f.completeExceptionally(new OverloadedException(pendingCount.get() + " proposals (" + pendingBytes.get()
                    + " bytes) pending; limits " + config.maxPendingProposals() + " / "
                    + config.maxPendingProposalBytes()));
            return f;
        }
        metrics.pendingProposals(pendingCount.get());
        f.whenComplete((r, e) -> {
            metrics.pendingProposals(pendingCount.decrementAndGet());
            pendingBytes.addAndGet(-size);
        });
        inbox.post(proposal);
        // Only a proposal still in the inbox surely never reached Raft: one the loop took may be in the log,
        // and the loop's or close's drain gives it its honest outcome (indeterminate once in the log).
        if ((closed.get() || failure != null) && inbox.remove(proposal)) {
            failIfClosedMeanwhile(f);
        }
        return f;
    }

    @Override
    public CompletableFuture<ByteString> read(ByteString query, ReadConsistency consistency) {
        return read(query, consistency, 0);
    }

    @Override
    public CompletableFuture<ByteString> read(ByteString query, ReadConsistency consistency, long minIndex) {
        if (minIndex < 0) {
            throw new IllegalArgumentException("minIndex must be >= 0, was " + minIndex);
        }
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(consistency, "consistency");
        CompletableFuture<ByteString> f = new CompletableFuture<>();
        RuntimeException refused = refuseIfUnavailableOrDiverged();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        if (consistency == ReadConsistency.STALE) {
            applier.submit(new Inputs.Query(query, minIndex, f));
        } else {
            // FOLLOWER and LINEARIZABLE both confirm through the leader; a follower then serves locally.
            inbox.post(new Inputs.Read(query, consistency == ReadConsistency.LEASE, minIndex, f));
        }
        failIfClosedMeanwhile(f);
        return f;
    }

    @Override
    public CompletableFuture<Membership> changeMembership(MembershipChange change, LiveQuorumCheck check) {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(check, "check");
        io.raftmanager.proto.MembershipChange wire = ApiTypes.toProto(change);
        return postToLoop(f -> new Inputs.ChangeMembership(wire, check == LiveQuorumCheck.SKIP, f));
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long peer) {
        return postToLoop(f -> new Inputs.Transfer(peer, f));
    }

    @Override
    public CompletableFuture<SnapshotInfo> snapshotNow() {
        CompletableFuture<SnapshotMeta> f = new CompletableFuture<>();
        RuntimeException refused = refuseIfUnavailable();
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        applier.submit(new Inputs.SnapshotNow(f));
        failIfClosedMeanwhile(f);
        return map(f, ApiTypes::snapshot);
    }

    @Override
    public NodeState state() {
        return loop.view();
    }

    @Override
    public CompletableFuture<NodeStatus> status() {
        return postToLoop(f -> (Runnable) () -> f.complete(describe(raftOnLoop(), loop.diskFull())));
    }

    /**
     * Posts the input that {@code input} builds around a new future to the event loop, unless the node
     * cannot take it; the future fails with the reason then.
     */
    private <T> CompletableFuture<T> postToLoop(Function<CompletableFuture<T>, Object> input) {
        CompletableFuture<T> f = new CompletableFuture<>();
        RuntimeException refused = refuseIfUnavailable();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        inbox.post(input.apply(f));
        failIfClosedMeanwhile(f);
        return f;
    }

    private static NodeStatus describe(Raft raft, boolean diskFull) {
        Status s = raft.status();
        Map<Long, NodeStatus.PeerStatus> peers = new HashMap<>();
        raft.matchIndexes()
                .forEach((id, match) -> peers.put(id, new NodeStatus.PeerStatus(match, s.lastIndex() - match)));
        return new NodeStatus(
                s.id(),
                s.role(),
                s.term(),
                s.leader() == 0 ? OptionalLong.empty() : OptionalLong.of(s.leader()),
                s.commit(),
                s.applied(),
                s.lastIndex(),
                Map.copyOf(peers),
                raft.recovery(),
                diskFull);
    }

    @Override
    public void addListener(RaftListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Closes the race between the check in {@link #refuseIfUnavailable} and posting: if the node closed
     * in between, its drain may already have run and the input would wait forever.
     */
    private void failIfClosedMeanwhile(CompletableFuture<?> f) {
        RuntimeException refused = closed.get() || failure != null ? refuseIfUnavailable() : null;
        if (refused != null) {
            f.completeExceptionally(refused);
        }
    }

    private RuntimeException refuseIfUnavailableOrDiverged() {
        RuntimeException refused = refuseIfUnavailable();
        if (refused == null && verifier.diverged()) {
            refused = new ReplicaDivergedException(
                    "node " + config.nodeId() + " diverged from the group; its state machine must be rebuilt");
        }
        return refused;
    }

    /** The replicated runtime state (sessions, stream digest), for tests and for snapshots. */
    CommandApplier commandsForTest() {
        return commands;
    }

    ConsistencyVerifier verifierForTest() {
        return verifier;
    }

    private RuntimeException refuseIfUnavailable() {
        if (failure != null) {
            return new ClosedException("node " + config.nodeId() + " stopped after a failure", failure);
        }
        if (closed.get()) {
            return new ClosedException("node " + config.nodeId() + " is closed");
        }
        if (!started.get()) {
            return new ClosedException("node " + config.nodeId() + " is not started");
        }
        return null;
    }

    /**
     * {@code worker}, made to fail the whole node if it dies on an unexpected exception: a node whose loop,
     * writer or applier is gone must not go on accepting requests it will never answer.
     */
    private Worker failsNode(Worker worker, String role) {
        return new Worker() {
            @Override
            public int doWork() {
                return worker.doWork();
            }

            @Override
            public long idleNanos() {
                return worker.idleNanos();
            }

            @Override
            public boolean blocksNext() {
                return worker.blocksNext();
            }

            @Override
            public boolean hasLeftoverWork() {
                return worker.hasLeftoverWork();
            }

            @Override
            public void onFailure(Throwable cause) {
                onFatal(new Inputs.Fatal(role, cause));
            }

            @Override
            public void onClose() {
                worker.onClose();
            }
        };
    }

    private void onFatal(Inputs.Fatal f) {
        if (failure == null) {
            failure = f.cause();
            metrics.recordFailure(f.where());
            for (RaftListener l : listeners) {
                try {
                    l.onFailure(f.where(), f.cause());
                } catch (RuntimeException e) {
                    LOG.warn("[{}] listener failed", config.nodeId(), e);
                }
            }
        }
        // Stop from another thread: the loop cannot join itself.
        Thread t = new Thread(this::close, "raft-" + config.nodeId() + "-stop");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (started.get()) {
            if (loopHandle != null) { // null when the transport failed to start
                loopHandle.stop();
            }
            writerHandle.stop();
            applierHandle.stop();
            takerHandle.stop();
            transferHandle.stop();
        }
        ClosedException e = failure == null
                ? new ClosedException("node " + config.nodeId() + " closed")
                : new ClosedException("node " + config.nodeId() + " stopped after a failure", failure);
        loop.failUnfinished(e);
        IndeterminateResultException committedNotApplied =
                new IndeterminateResultException("node closed before applying the committed entry");
        for (Object o : applier.drainUnfinished()) {
            if (o instanceof Inputs.Query q) {
                q.future().completeExceptionally(e);
            } else if (o instanceof Inputs.SnapshotNow s) {
                s.future().completeExceptionally(e);
            } else if (o instanceof Inputs.ApplyBatch b) {
                b.futures().forEach(f -> {
                    if (f != null) {
                        f.completeExceptionally(committedNotApplied);
                    }
                });
            }
        }
        // Nothing the node was built with is closed here: its owner closes it (see RaftNodeBuilder).
    }
}
