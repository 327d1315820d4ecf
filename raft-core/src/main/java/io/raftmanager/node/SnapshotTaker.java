package io.raftmanager.node;

import io.raftmanager.StateSnapshot;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes local snapshots to the {@link SnapshotStore} on its own thread, so that neither applying nor
 * the event loop waits for the bytes: the applier only takes the state machine's point-in-time handle
 * and hands it here. At most one snapshot is written at a time.
 */
final class SnapshotTaker implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
    private static final int BUFFER_BYTES = 64 << 10;

    /** A snapshot to write: the handle and runtime sections captured at {@code meta}'s index. */
    record Job(
            SnapshotMeta meta,
            StateSnapshot handle,
            Map<String, byte[]> sections,
            long captureNanos,
            CompletableFuture<SnapshotMeta> future) {}

    private final Mailbox<Job> queue = new Mailbox<>();
    private final SnapshotStore store;
    private final EventLoopPort loop;
    private final Runnable onIdle;
    private final NodeMetrics metrics;
    private final Scheduler scheduler;
    private final long nodeId;
    private final AtomicBoolean busy = new AtomicBoolean();

    SnapshotTaker(
            long nodeId,
            SnapshotStore store,
            EventLoopPort loop,
            Runnable onIdle,
            NodeMetrics metrics,
            Scheduler scheduler) {
        this.nodeId = nodeId;
        this.store = store;
        this.loop = loop;
        this.onIdle = onIdle;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    void bind(WorkerHandle h) {
        queue.bind(h);
    }

    /** Whether a snapshot is being written (the applier then takes no new one). */
    boolean busy() {
        return busy.get();
    }

    /** Hands over a job; the caller must have seen {@link #busy()} false. */
    void submit(Job job) {
        busy.set(true);
        queue.add(job);
    }

    @Override
    public int doWork() {
        Job job = queue.poll();
        if (job == null) {
            return 0;
        }
        try {
            write(job);
        } finally {
            busy.set(false);
            onIdle.run();
        }
        return 1;
    }

    private void write(Job job) {
        long start = scheduler.nanoTime();
        SnapshotWriter w = null;
        try (StateSnapshot handle = job.handle()) {
            w = store.create(job.meta());
            try (OutputStream out = new BufferedOutputStream(new WriterStream(w), BUFFER_BYTES)) {
                SnapshotFormat.writeHeader(out, job.sections());
                handle.writeTo(out);
            }
            SnapshotMeta full = w.commit();
            long nanos = scheduler.nanoTime() - start;
            LOG.info(
                    "[{}] snapshot {}/{} written: {} bytes in {} ms",
                    nodeId,
                    full.getTerm(),
                    full.getIndex(),
                    full.getSizeBytes(),
                    nanos / 1_000_000);
            metrics.recordSnapshotTaken(full.getSizeBytes(), job.captureNanos(), nanos);
            loop.post(new Inputs.SnapshotTaken(full));
            job.future().complete(full);
        } catch (IOException | RuntimeException e) {
            // Not fatal: the log is simply not compacted; the next trigger tries again.
            LOG.warn("[{}] snapshot at {} failed", nodeId, job.meta().getIndex(), e);
            if (w != null) {
                w.abort();
            }
            job.future().completeExceptionally(e);
        }
    }

    /** An OutputStream onto a SnapshotWriter. */
    private static final class WriterStream extends OutputStream {
        private final SnapshotWriter w;

        WriterStream(SnapshotWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            w.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            w.write(b, off, len);
        }
    }
}
