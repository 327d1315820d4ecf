package io.raftmanager.node;

import io.raftmanager.Applied;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.RaftException;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed entries to the {@link StateMachine} in log order, completes the proposers' futures
 * with the results, and answers queries once the state has reached the index they wait for. If the
 * state machine throws, the applier stops for good: skipping an entry would let replicas diverge.
 *
 * <p>Snapshots: by the {@link SnapshotConfig} policy (or on {@code snapshotNow}) it takes the state
 * machine's point-in-time handle between two applies and hands it to the {@link SnapshotTaker}, which
 * writes the bytes while applying goes on; it installs a snapshot received from the leader, in log order.
 */
final class Applier implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private final Mailbox<Object> queue = new Mailbox<>();
    private final PriorityQueue<Inputs.Query> waitingQueries =
            new PriorityQueue<>((a, b) -> Long.compare(a.index(), b.index()));
    private final StateMachine stateMachine;
    private final CommandApplier commands;
    private final EventLoopPort loop;
    private final NodeMetrics metrics;
    private volatile long appliedIndex;
    private boolean failed;
    /** Set when this server diverged: it applies and answers nothing more. */
    private volatile RaftException halted;

    private final SnapshotStore store;
    private final SnapshotConfig policy;
    private final List<SnapshotPart> parts;
    private final Scheduler scheduler;
    private SnapshotTaker taker;
    private long appliedTerm;
    private Membership membership;
    private long lastSnapshotIndex;
    private long bytesSinceSnapshot;
    private boolean snapshotsUnsupported;
    /**
     * The index the state machine's state reflects when a newer snapshot than the one the core asked for
     * was installed (see {@link #restoreFromLeader}); entries up to it are skipped, not applied again.
     */
    private long skipThrough;

    private final List<CompletableFuture<SnapshotMeta>> snapshotRequests = new ArrayList<>();
    private final AtomicInteger restoresQueued = new AtomicInteger();
    /** Set once an engine places this applier run by run (it may run on the group's event loop). */
    private boolean placed;
    /** Whether this run is on an event loop (meaningful once {@link #placed}). */
    private boolean runOnLoop;
    /** A task taken from the queue but left for the next run, on the other kind of thread. */
    private Object deferred;

    Applier(
            StateMachine stateMachine,
            CommandApplier commands,
            EventLoopPort loop,
            NodeMetrics metrics,
            SnapshotStore store,
            SnapshotConfig policy,
            List<SnapshotPart> parts,
            Scheduler scheduler,
            AppliedPoint start) {
        this.stateMachine = stateMachine;
        this.commands = commands;
        this.loop = loop;
        this.metrics = metrics;
        this.store = store;
        this.policy = policy;
        this.parts = parts;
        this.scheduler = scheduler;
        this.appliedIndex = start.index();
        this.appliedTerm = start.term();
        this.membership = start.membership();
        this.lastSnapshotIndex = start.index();
    }

    /** Where the state machine starts: the index, its term and the membership in effect there. */
    record AppliedPoint(long index, long term, Membership membership) {}

    void setTaker(SnapshotTaker taker) {
        this.taker = taker;
    }

    void bind(WorkerHandle h) {
        queue.bind(h);
    }

    void submit(Object task) {
        if (task instanceof Inputs.Restore) {
            restoresQueued.incrementAndGet();
        }
        queue.add(task);
    }

    /**
     * Installing a snapshot blocks (it reads the whole snapshot), so an applier that runs on its group's
     * event loop moves to a blocking thread for it: the engine asks this before each run.
     */
    @Override
    public boolean blocksNext() {
        placed = true;
        boolean blocks = deferred != null ? deferred instanceof Inputs.Restore : restoresQueued.get() > 0;
        runOnLoop = !blocks;
        return blocks;
    }

    /** A task deferred to the other kind of thread runs next; the rest of the queue announces itself. */
    @Override
    public boolean hasLeftoverWork() {
        return deferred != null || !queue.isEmpty();
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Stops applying for good, failing what waits with {@code reason}; callable from any thread. */
    void halt(RaftException reason) {
        halted = reason;
        queue.add(reason); // wakes the worker so it fails what is queued
    }

    @Override
    public int doWork() {
        if (halted != null) {
            return failUnfinished(halted);
        }
        int work = 0;
        Object task;
        while (!failed && halted == null && (task = next()) != null) {
            work++;
            if (placed && (task instanceof Inputs.Restore) == runOnLoop) {
                // A restore met on the loop runs next on a worker thread; after it, the rest goes back to the loop.
                deferred = task;
                return work;
            }
            if (task instanceof Inputs.ApplyBatch batch) {
                apply(batch);
                maybeSnapshot();
            } else if (task instanceof Inputs.Query q) {
                waitingQueries.add(q);
            } else if (task instanceof Inputs.Restore r) {
                restoreFromLeader(r.meta());
            } else if (task instanceof Inputs.SnapshotNow s) {
                snapshotRequests.add(s.future());
                maybeSnapshot();
            } else if (task instanceof Runnable) {
                maybeSnapshot(); // the taker became idle
            }
            answerQueries();
        }
        return work;
    }

    private void apply(Inputs.ApplyBatch batch) {
        long start = scheduler.nanoTime();
        List<Entry> entries = batch.entries();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            CompletableFuture<Applied> f = batch.futures().get(i);
            if (e.getIndex() <= skipThrough) {
                // Already in the state, through the newer snapshot installed in place of an older one.
                if (f != null) {
                    f.completeExceptionally(new IndeterminateResultException(
                            "entry " + e.getIndex() + " reached this server's state through a snapshot"));
                }
                appliedIndex = e.getIndex();
                appliedTerm = e.getTerm();
                continue;
            }
            try {
                commands.apply(e, f);
            } catch (RuntimeException | Error ex) {
                failed = true;
                if (f != null) {
                    f.completeExceptionally(ex);
                }
                // The rest of the batch is committed but will not be applied here.
                IndeterminateResultException unapplied = new IndeterminateResultException(
                        "committed, but this server stopped applying at index " + e.getIndex());
                for (int j = i + 1; j < entries.size(); j++) {
                    CompletableFuture<Applied> later = batch.futures().get(j);
                    if (later != null) {
                        later.completeExceptionally(unapplied);
                    }
                }
                loop.post(new Inputs.Fatal("state machine apply at index " + e.getIndex(), ex));
                return;
            }
            bytesSinceSnapshot += e.getData().size();
            appliedIndex = e.getIndex();
            appliedTerm = e.getTerm();
        }
        if (batch.membership() != null) {
            membership = batch.membership();
        }
        metrics.recordApplied(entries.size());
        metrics.recordApplyTime(scheduler.nanoTime() - start);
        loop.post(new Inputs.AppliedUpTo(appliedIndex));
    }

    private void maybeSnapshot() {
        if (failed || taker == null || taker.busy() || appliedIndex < skipThrough) {
            return; // (a snapshot labelled appliedIndex must not hold a newer state)
        }
        boolean due = policy.automatic()
                && !snapshotsUnsupported
                && appliedIndex > lastSnapshotIndex
                && ((policy.everyEntries() > 0 && appliedIndex - lastSnapshotIndex >= policy.everyEntries())
                        || (policy.everyBytes() > 0 && bytesSinceSnapshot >= policy.everyBytes()));
        if (!due && snapshotRequests.isEmpty()) {
            return;
        }
        List<CompletableFuture<SnapshotMeta>> waiting = new ArrayList<>(snapshotRequests);
        snapshotRequests.clear();
        SnapshotMeta latest = store.latest();
        if (!due && latest != null && latest.getIndex() == appliedIndex) {
            waiting.forEach(f -> f.complete(latest));
            return;
        }
        long start = scheduler.nanoTime();
        StateSnapshot handle;
        Map<String, byte[]> sections;
        try {
            handle = stateMachine.snapshot(appliedIndex);
            sections = SnapshotFormat.capture(parts);
        } catch (RuntimeException e) {
            waiting.forEach(f -> f.completeExceptionally(e));
            failed = true;
            loop.post(new Inputs.Fatal("state machine snapshot at index " + appliedIndex, e));
            return;
        }
        long captureNanos = scheduler.nanoTime() - start;
        if (handle == null) {
            snapshotsUnsupported = true;
            UnsupportedOperationException e =
                    new UnsupportedOperationException("the state machine does not support snapshots");
            waiting.forEach(f -> f.completeExceptionally(e));
            return;
        }
        SnapshotMeta meta = SnapshotMeta.newBuilder()
                .setIndex(appliedIndex)
                .setTerm(appliedTerm)
                .setMembership(membership)
                .build();
        lastSnapshotIndex = appliedIndex;
        bytesSinceSnapshot = 0;
        CompletableFuture<SnapshotMeta> done = new CompletableFuture<>();
        done.whenComplete((m, e) -> waiting.forEach(f -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(m);
            }
        }));
        taker.submit(new SnapshotTaker.Job(meta, handle, sections, captureNanos, done));
    }

    /** Installs a snapshot received from the leader: the whole state is replaced, in log order. */
    private void restoreFromLeader(SnapshotMeta meta) {
        long start = scheduler.nanoTime();
        SnapshotMeta held = store.latest();
        // A newer snapshot may have been received, and replaced this one in the store, before this one
        // could be installed. Its state is a later committed state of the same log, so install it and
        // skip the entries it covers; report only what the core handed out.
        boolean newer = held != null && held.getIndex() > meta.getIndex();
        try {
            restore(newer ? held : meta);
            if (newer) {
                LOG.info(
                        "installing snapshot {} in place of {}, which a newer one replaced",
                        SnapshotIds.describe(held),
                        SnapshotIds.describe(meta));
                skipThrough = held.getIndex();
                appliedIndex = meta.getIndex();
                appliedTerm = meta.getTerm();
                membership = meta.getMembership();
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            loop.post(new Inputs.Fatal("installing snapshot at index " + meta.getIndex(), e));
            return;
        }
        metrics.recordSnapshotInstalled(scheduler.nanoTime() - start);
        loop.post(new Inputs.AppliedUpTo(appliedIndex));
    }

    private Object next() {
        Object t = deferred;
        if (t != null) {
            deferred = null;
            return t;
        }
        t = queue.poll();
        if (t instanceof Inputs.Restore) {
            restoresQueued.decrementAndGet();
        }
        return t;
    }

    /** Replaces the state machine's state (and the runtime parts') by the stored snapshot {@code meta}. */
    void restore(SnapshotMeta meta) throws IOException {
        try (InputStream in = new BufferedInputStream(store.open(meta, 0), 64 << 10)) {
            SnapshotFormat.readHeader(in, parts);
            stateMachine.restore(ApiTypes.snapshot(meta), in);
        }
        appliedIndex = meta.getIndex();
        appliedTerm = meta.getTerm();
        membership = meta.getMembership();
        lastSnapshotIndex = meta.getIndex();
        bytesSinceSnapshot = 0;
    }

    private void answerQueries() {
        while (!waitingQueries.isEmpty() && waitingQueries.peek().index() <= appliedIndex) {
            Inputs.Query q = waitingQueries.poll();
            try {
                q.future().complete(stateMachine.query(q.query()));
            } catch (RuntimeException ex) {
                q.future().completeExceptionally(ex);
            } catch (Error err) {
                q.future().completeExceptionally(err);
                throw err; // the applier dies, and with it the node
            }
        }
    }

    private int failUnfinished(RaftException reason) {
        IndeterminateResultException unknown =
                new IndeterminateResultException("committed but this server stopped applying: " + reason.getMessage());
        List<Object> left = drainUnfinished();
        for (Object o : left) {
            if (o instanceof Inputs.Query q) {
                q.future().completeExceptionally(reason);
            } else if (o instanceof Inputs.ApplyBatch b) {
                b.futures().forEach(f -> {
                    if (f != null) {
                        f.completeExceptionally(unknown);
                    }
                });
            }
        }
        return 0;
    }

    /** Everything still queued, for failing on close; call only after the worker stopped. */
    List<Object> drainUnfinished() {
        List<Object> out = new ArrayList<>(waitingQueries);
        waitingQueries.clear();
        snapshotRequests.forEach(f -> out.add(new Inputs.SnapshotNow(f)));
        snapshotRequests.clear();
        if (deferred != null) {
            out.add(deferred);
            deferred = null;
        }
        Object t;
        while ((t = queue.poll()) != null) {
            out.add(t);
        }
        return out;
    }
}
