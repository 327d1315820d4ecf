package io.raftmanager.node;

import io.raftmanager.core.Ready;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.StorageFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists Readys in order, with one sync for everything that arrived together (group commit), then
 * acknowledges them to the event loop in one input, with their after-persist messages for it to send. Acknowledging only after
 * the sync is what makes every answer that promises durability true. It also compacts the log behind a
 * local snapshot, on the same thread as every other write.
 *
 * <p>Where it runs: on a disk thread, unless the storage {@linkplain LogStorage#queuesWrites() only queues
 * its asynchronous writes}; then on the group's event loop ({@link #runsOnLoop}), which saves a hand-off to
 * a disk thread and back per write, and a run that compacts (which may block) goes to a blocking thread.
 */
final class LogWriter implements Worker {
    /** A wake-up marker in the queue: compaction was asked for. */
    private static final Ready COMPACT =
            new Ready(0, null, null, List.of(), List.of(), List.of(), List.of(), List.of(), null, null, false);

    private final Mailbox<Ready> queue = new Mailbox<>();
    private final LogStorage storage;
    private final NodeMetrics metrics;
    private final EventLoopPort loop;
    private final Scheduler scheduler;
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** How often writes are retried while the disk is full. */
    static final long DISK_FULL_RETRY_NANOS = 200_000_000L;

    private volatile WorkerHandle handle;
    private boolean failed;
    /** The write the storage is doing for us, or null. Writer thread only. */
    private Write inFlight;
    /** Set by the storage's completion of {@link #inFlight}; taken by the writer thread. */
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    /** True while the writer thread is inside {@code writeAsync}; it then checks the outcome itself. */
    private volatile boolean callingStorage;
    /** Readys taken from the queue but not yet acknowledged: the disk was full. Writer thread only. */
    private List<Ready> waiting;
    /** How many Readys of {@link #waiting} are already written. Writer thread only. */
    private int written;

    private long nextRetryNanos;
    private volatile boolean diskFull;
    private final AtomicLong compactTarget = new AtomicLong();
    /** Keeps a compaction (writer thread) and a commit-only write (event loop) from overlapping. */
    private final Object compactionLock = new Object();

    private final long trailingEntries;
    /** Whether this writer runs as a loop worker (its storage only queues writes). */
    private final boolean onLoop;
    /** The compaction target last acted on; a higher {@link #compactTarget} makes the next run block. */
    private volatile long compactChecked;
    /** Set by {@link #blocksNext} for the run it precedes (runs and their dispatch never overlap). */
    private boolean mayBlock;

    LogWriter(LogStorage storage, NodeMetrics metrics, EventLoopPort loop, Scheduler scheduler, long trailingEntries) {
        this.trailingEntries = trailingEntries;
        this.storage = storage;
        this.metrics = metrics;
        this.loop = loop;
        this.scheduler = scheduler;
        this.onLoop = storage.queuesWrites();
    }

    /** Whether to start this writer as a {@link WorkerKind#LOOP} worker rather than a {@link WorkerKind#DISK} one. */
    boolean runsOnLoop() {
        return onLoop;
    }

    /** On the loop: a pending compaction may block, so that run goes to a blocking thread. */
    @Override
    public boolean blocksNext() {
        mayBlock = compactTarget.get() > compactChecked;
        return mayBlock;
    }

    void bind(WorkerHandle h) {
        handle = h;
        queue.bind(h);
    }

    void submit(Ready rd) {
        queue.add(rd);
    }

    /**
     * A snapshot at {@code index} is durable (and applied): compact the log behind it, keeping the
     * trailing window, when the writer next runs.
     */
    void snapshotTaken(long index) {
        compactTarget.accumulateAndGet(index - trailingEntries, Math::max);
        queue.add(COMPACT);
    }

    /**
     * Whether the event loop may write {@code rd} itself instead of submitting it: it holds only a commit
     * index (no entries, no snapshot, no term or vote, so no sync). The loop does so only when no earlier Ready is
     * queued or being written. The core asks for such writes rarely (at a tick, when quiescing, or for a
     * configuration entry that takes effect only once the commit index covering it is durable), and the
     * last saves a round trip through this writer.
     */
    static boolean writableByLoop(Ready rd) {
        return !rd.mustSync() && rd.entriesToPersist().isEmpty() && rd.snapshot() == null && rd.hardState() != null;
    }

    /**
     * Writes a {@link #writableByLoop} Ready on the calling thread (the event loop, while this writer is
     * idle: the loop hands the writer work only through {@link #submit} and sees every earlier write
     * acknowledged, so the calls never overlap; a compaction the writer may be running meanwhile is kept
     * apart by a lock, as {@link io.raftmanager.spi.LogStorage} promises one call at a time).
     *
     * @throws RuntimeException if the storage fails; the caller stops the node
     */
    void writeOnLoop(Ready rd) {
        long start = scheduler.nanoTime();
        synchronized (compactionLock) {
            storage.write(rd.toLogBatch());
        }
        metrics.recordPersist(scheduler.nanoTime() - start, false);
    }

    /** Whether the disk is full: writes wait for space and the node refuses proposals meanwhile. */
    boolean diskFull() {
        return diskFull;
    }

    /**
     * A run drains the queue; a write still in flight is announced by its completion's wake, and a
     * disk-full retry by the timer ({@link #idleNanos}).
     */
    @Override
    public boolean hasLeftoverWork() {
        return !failed && !queue.isEmpty();
    }

    @Override
    public long idleNanos() {
        return diskFull ? Math.max(0, nextRetryNanos - scheduler.nanoTime()) : Long.MAX_VALUE;
    }

    @Override
    public int doWork() {
        if (failed) {
            return 0;
        }
        int done = 0;
        if (inFlight != null) {
            Outcome o = outcome.getAndSet(null);
            if (o == null) {
                return 0; // the storage's completion wakes us
            }
            done = finish(inFlight, o);
            inFlight = null;
            if (failed) {
                return done;
            }
        }
        if (!onLoop || mayBlock) {
            mayBlock = false;
            compactIfAsked();
        }
        List<Ready> batch = waiting != null ? waiting : new ArrayList<>();
        waiting = null;
        Ready rd;
        while ((rd = queue.poll()) != null) {
            if (rd != COMPACT) {
                batch.add(rd);
            }
        }
        if (batch.isEmpty()) {
            return done;
        }
        if (diskFull && scheduler.nanoTime() - nextRetryNanos < 0) {
            waiting = batch; // the retry timer (idleNanos) brings us back
            return done;
        }
        boolean sync = false;
        int lastWithWork = -1;
        for (int i = 0; i < batch.size(); i++) {
            sync |= batch.get(i).mustSync();
            if (batch.get(i).hasPersistWork()) {
                lastWithWork = i;
            }
        }
        List<LogBatch> writes = new ArrayList<>();
        int[] positions = new int[Math.max(0, lastWithWork + 1 - written)];
        for (int i = written; i <= lastWithWork; i++) {
            Ready r = batch.get(i);
            if (r.hasPersistWork()) {
                LogBatch b = r.toLogBatch();
                positions[writes.size()] = i;
                writes.add(new LogBatch(b.hardState(), b.entries(), b.snapshot(), sync && i == lastWithWork));
            }
        }
        Write w = new Write(batch, positions, sync, scheduler.nanoTime(), persisted(batch));
        if (writes.isEmpty()) {
            return done + finish(w, Outcome.OK);
        }
        inFlight = w;
        callingStorage = true;
        try {
            storage.writeAsync(writes, (n, error) -> completed(w, n, error));
        } catch (RuntimeException e) {
            outcome.compareAndSet(null, new Outcome(0, e)); // broke its promise to report through done
        } finally {
            callingStorage = false;
        }
        Outcome o = outcome.getAndSet(null);
        if (o == null) {
            return done; // in flight: the completion wakes us
        }
        inFlight = null;
        return done + finish(w, o); // the storage wrote on this thread
    }

    /**
     * The storage finished a write, on its own thread or on this one. A success is acknowledged to the loop
     * at once, without a hop through this writer's thread; the rest waits for the writer's next run.
     */
    private void completed(Write w, int written, RuntimeException error) {
        if (error == null) {
            acknowledge(w);
        }
        outcome.set(new Outcome(written, error));
        WorkerHandle h = handle;
        if (h != null && !callingStorage && (error != null || diskFull || !queue.isEmpty())) {
            // else doWork takes the outcome right after the call, or at its next run: the next submit wakes
            // it (it adds to the queue after the outcome is set, then wakes), so a success with nothing
            // queued behind it costs no run of its own, a hand-off per write saved on a loop hosting many
            // groups.
            h.wake();
        }
    }

    private void acknowledge(Write w) {
        if (w.positions.length > 0) {
            metrics.recordPersist(scheduler.nanoTime() - w.startNanos, w.sync);
        }
        // The loop sends the messages: it shares its thread with the transport's connections.
        loop.post(w.persisted);
    }

    /** Handles the outcome of a write on the writer thread; returns the number of Readys finished. */
    private int finish(Write w, Outcome o) {
        if (o.error == null) {
            if (w.positions.length == 0) {
                acknowledge(w);
            }
            written = 0;
            if (diskFull) {
                diskFull = false;
                metrics.diskFull(false);
                LOG.info("disk has space again: log writes resumed");
            }
            return w.batch.size();
        }
        if (o.written > 0) {
            written = w.positions[o.written - 1] + 1;
        }
        if (o.error instanceof StorageFullException e) {
            // Nothing of the failed write happened (the storage promises it): keep the batch, acknowledge
            // nothing, and retry the same writes once space may have returned.
            waiting = w.batch;
            nextRetryNanos = scheduler.nanoTime() + DISK_FULL_RETRY_NANOS;
            if (!diskFull) {
                diskFull = true;
                metrics.diskFull(true);
                LOG.info("disk full: log writes wait for space and proposals are refused ({})", e.getMessage());
            }
            return 0;
        }
        failed = true;
        loop.post(new Inputs.Fatal("log writer", o.error));
        return w.batch.size();
    }

    private static Inputs.Persisted persisted(List<Ready> batch) {
        List<RaftMessage> after = List.of();
        for (Ready r : batch) {
            if (!r.messagesAfterPersist().isEmpty()) {
                if (after.isEmpty()) {
                    after = new ArrayList<>();
                }
                after.addAll(r.messagesAfterPersist());
            }
        }
        return new Inputs.Persisted(batch.get(batch.size() - 1).number(), batch.size(), after);
    }

    /** A batch of Readys being written: {@code positions} are the batch indexes of the writes made. */
    private record Write(
            List<Ready> batch, int[] positions, boolean sync, long startNanos, Inputs.Persisted persisted) {}

    /** What the storage reported; {@link #OK} when a batch had nothing to write. */
    private record Outcome(int written, RuntimeException error) {
        static final Outcome OK = new Outcome(0, null);
    }

    private void compactIfAsked() {
        long target = compactTarget.get();
        if (target <= storage.snapshot().getIndex() || target > storage.lastIndex()) {
            compactChecked = target; // nothing to do, or not yet: the next snapshot asks again
            return;
        }
        try {
            synchronized (compactionLock) {
                storage.compact(target);
            }
            compactChecked = target;
        } catch (StorageFullException e) {
            LOG.debug("compaction to {} waits for disk space: {}", target, e.getMessage()); // retried next run
        } catch (RuntimeException e) {
            failed = true;
            loop.post(new Inputs.Fatal("log compaction", e));
        }
    }
}
