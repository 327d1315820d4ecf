package io.raftmanager.node;

import io.raftmanager.core.Ready;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Persists Readys in order, with one sync for everything that arrived together (group commit), then
 * acknowledges them to the event loop in one input, with their after-persist messages for it to send. Acknowledging only after
 * the sync is what makes every answer that promises durability true. It also compacts the log behind a
 * local snapshot, on the same thread as every other write.
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
    private boolean failed;
    private final AtomicLong compactTarget = new AtomicLong();
    /** Keeps a compaction (writer thread) and a commit-only write (event loop) from overlapping. */
    private final Object compactionLock = new Object();

    private final long trailingEntries;

    LogWriter(LogStorage storage, NodeMetrics metrics, EventLoopPort loop, Scheduler scheduler, long trailingEntries) {
        this.trailingEntries = trailingEntries;
        this.storage = storage;
        this.metrics = metrics;
        this.loop = loop;
        this.scheduler = scheduler;
    }

    void bind(WorkerHandle h) {
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
     * queued or being written, which saves the commit the round trip through this thread before the
     * entries it covers can be applied.
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

    @Override
    public int doWork() {
        if (failed) {
            return 0;
        }
        compactIfAsked();
        if (queue.isEmpty()) {
            return 0;
        }
        List<Ready> batch = new ArrayList<>();
        Ready rd;
        while ((rd = queue.poll()) != null) {
            if (rd != COMPACT) {
                batch.add(rd);
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        boolean sync = false;
        int lastWithWork = -1;
        for (int i = 0; i < batch.size(); i++) {
            sync |= batch.get(i).mustSync();
            if (batch.get(i).hasPersistWork()) {
                lastWithWork = i;
            }
        }
        try {
            long start = scheduler.nanoTime();
            for (int i = 0; i <= lastWithWork; i++) {
                Ready r = batch.get(i);
                if (r.hasPersistWork()) {
                    LogBatch b = r.toLogBatch();
                    storage.write(new LogBatch(b.hardState(), b.entries(), b.snapshot(), sync && i == lastWithWork));
                }
            }
            if (lastWithWork >= 0) {
                metrics.recordPersist(scheduler.nanoTime() - start, sync);
            }
        } catch (RuntimeException e) {
            failed = true;
            loop.post(new Inputs.Fatal("log writer", e));
            return batch.size();
        }
        List<RaftMessage> after = List.of();
        for (Ready r : batch) {
            if (!r.messagesAfterPersist().isEmpty()) {
                if (after.isEmpty()) {
                    after = new ArrayList<>();
                }
                after.addAll(r.messagesAfterPersist());
            }
        }
        // The loop sends them: it shares its thread with the transport's connections, this thread does not.
        loop.post(new Inputs.Persisted(batch.get(batch.size() - 1).number(), batch.size(), after));
        return batch.size();
    }

    private void compactIfAsked() {
        long target = compactTarget.get();
        if (target <= storage.snapshot().getIndex() || target > storage.lastIndex()) {
            return;
        }
        try {
            synchronized (compactionLock) {
                storage.compact(target);
            }
        } catch (RuntimeException e) {
            failed = true;
            loop.post(new Inputs.Fatal("log compaction", e));
        }
    }
}
