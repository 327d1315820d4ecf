package io.raftmanager.node;

import io.raftmanager.core.Ready;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Persists Readys in order, with one sync for everything that arrived together (group commit), then
 * sends their after-persist messages and acknowledges them to the event loop. Acknowledging only after
 * the sync is what makes every answer that promises durability true.
 */
final class LogWriter implements Worker {
    private final Mailbox<Ready> queue = new Mailbox<>();
    private final LogStorage storage;
    private final Transport transport;
    private final NodeMetrics metrics;
    private final EventLoopPort loop;
    private final Scheduler scheduler;
    private boolean failed;

    LogWriter(LogStorage storage, Transport transport, NodeMetrics metrics, EventLoopPort loop, Scheduler scheduler) {
        this.storage = storage;
        this.transport = transport;
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
     * Whether the event loop may write {@code rd} itself instead of submitting it: it holds only a commit
     * index (no entries, no term or vote, so no sync). The loop does so only when no earlier Ready is
     * queued or being written, which saves the commit the round trip through this thread before the
     * entries it covers can be applied.
     */
    static boolean writableByLoop(Ready rd) {
        return !rd.mustSync() && rd.entriesToPersist().isEmpty() && rd.hardState() != null;
    }

    /**
     * Writes a {@link #writableByLoop} Ready on the calling thread (the event loop, while this writer is
     * idle: the loop hands the writer work only through {@link #submit} and sees every earlier write
     * acknowledged, so the calls never overlap).
     *
     * @throws RuntimeException if the storage fails; the caller stops the node
     */
    void writeOnLoop(Ready rd) {
        long start = scheduler.nanoTime();
        storage.write(rd.toLogBatch());
        metrics.recordPersist(scheduler.nanoTime() - start, false);
    }

    @Override
    public int doWork() {
        if (failed || queue.isEmpty()) {
            return 0;
        }
        List<Ready> batch = new ArrayList<>();
        Ready rd;
        while ((rd = queue.poll()) != null) {
            batch.add(rd);
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
        for (Ready r : batch) {
            for (RaftMessage m : r.messagesAfterPersist()) {
                transport.send(m);
            }
        }
        loop.post(new Inputs.Persisted(batch.get(batch.size() - 1).number(), batch.size()));
        return batch.size();
    }
}
