package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftNode;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.WriteCompletion;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The event loop writes a Ready holding only a commit index itself when the log writer is idle (saving
 * the commit a round trip through the writer). The core asks for such a write only at a tick (or when a
 * configuration entry waits for it): a commit index that advanced alone is written lazily, so the last
 * one of a burst of writes reaches the disk at the next tick. Checked here: such writes happen and bring
 * the durable commit index to the end of the log, only commit-only batches are written by the loop, and
 * storage writes (the writer's
 * asynchronous ones included, until their completion) never overlap. With a storage that {@linkplain
 * LogStorage#queuesWrites() queues its writes}, the writer itself runs on the loop: its asynchronous writes
 * are then made from the loop (or with a compaction, which never runs on the loop).
 */
class LoopCommitWriteTest {
    private final AtomicInteger writing = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger onLoop = new AtomicInteger();
    private final AtomicInteger wrongOnLoop = new AtomicInteger();
    private final AtomicInteger synced = new AtomicInteger();
    private final AtomicInteger asyncFromLoop = new AtomicInteger();
    private final AtomicInteger asyncElsewhere = new AtomicInteger();
    private final AtomicInteger compactions = new AtomicInteger();
    private final AtomicInteger compactionsOnLoop = new AtomicInteger();
    /** Entries written without sync and not yet covered by a later synced write (group commit). */
    private final java.util.concurrent.atomic.AtomicBoolean entriesAwaitingSync =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Completes the storage's asynchronous writes, as a shared log engine's committer thread would. */
    private final ExecutorService committer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopCommitter() {
        committer.shutdownNow();
    }

    /**
     * Wraps {@code delegate}, watching writes; a proxy, so the wrapper follows the SPI as it grows. Its
     * {@code writeAsync} writes on another thread and completes from there (the runtime's path with a
     * shared engine); a write counts as in progress until its completion is called.
     */
    private LogStorage watched(MemoryLogStorage delegate, boolean queuesWrites) {
        return (LogStorage) Proxy.newProxyInstance(
                LogStorage.class.getClassLoader(), new Class<?>[] {LogStorage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("queuesWrites")) {
                        return queuesWrites;
                    }
                    if (method.getName().equals("writeAsync")) {
                        enter();
                        (Thread.currentThread().getName().contains("-loop") ? asyncFromLoop : asyncElsewhere)
                                .incrementAndGet();
                        @SuppressWarnings("unchecked")
                        List<LogBatch> batches = (List<LogBatch>) args[0];
                        WriteCompletion done = (WriteCompletion) args[1];
                        committer.execute(() -> {
                            int written = 0;
                            RuntimeException error = null;
                            try {
                                for (LogBatch b : batches) {
                                    watch(b);
                                    delegate.write(b);
                                    written++;
                                }
                            } catch (RuntimeException e) {
                                error = e;
                            }
                            writing.decrementAndGet();
                            done.completed(written, error);
                        });
                        return null;
                    }
                    if (method.getName().equals("write")) {
                        enter();
                        watch((LogBatch) args[0]);
                    }
                    if (method.getName().equals("compact")) {
                        compactions.incrementAndGet();
                        if (Thread.currentThread().getName().contains("-loop")) {
                            compactionsOnLoop.incrementAndGet(); // may block: never on the loop
                        }
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (method.getName().equals("write")) {
                            writing.decrementAndGet();
                        }
                    }
                });
    }

    private void enter() {
        if (writing.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
    }

    private void watch(LogBatch b) {
        if (Thread.currentThread().getName().contains("-loop")) {
            onLoop.incrementAndGet();
            if (b.sync() || !b.entries().isEmpty() || b.hardState() == null) {
                wrongOnLoop.incrementAndGet();
            }
        }
        if (!b.entries().isEmpty() && !b.sync()) {
            entriesAwaitingSync.set(true); // a group commit syncs them with its last write
        } else if (b.sync()) {
            entriesAwaitingSync.set(false); // a synced write covers every earlier one
        }
        if (b.sync()) {
            synced.incrementAndGet();
        }
    }

    @ParameterizedTest(name = "storage queues writes: {0}")
    @ValueSource(booleans = {false, true})
    void commitOnlyReadysAreWrittenByTheIdleLoopAndWritesNeverOverlap(boolean queuesWrites)
            throws InterruptedException {
        LocalNetwork network = new LocalNetwork();
        MemoryLogStorage storage = MemoryLogStorage.withVoters(1);
        try (RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1).toBuilder()
                        .snapshot(SnapshotConfig.builder()
                                .everyEntries(40)
                                .trailingEntries(10)
                                .build())
                        .build())
                .storage(watched(storage, queuesWrites))
                .snapshotStore(new MemorySnapshotStore())
                .transport(network.transport(1))
                .stateMachine(CounterStateMachine.withSnapshots())
                .random(new SplittableRandom(1))
                .build()) {
            node.start();
            ByteString last = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < 200 && System.nanoTime() < deadline; ) {
                try {
                    last = node.propose(ByteString.copyFromUtf8("1")).get(10, TimeUnit.SECONDS);
                    i++;
                } catch (Exception e) {
                    // not leader yet: retry until the deadline
                    Thread.onSpinWait();
                }
            }
            assertEquals(ByteString.copyFromUtf8("200"), last);
            // The last commit index rode with no entries: a tick writes it (the tick is 10s of ms).
            long end = storage.lastIndex();
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (storage.initialState().hardState().getCommit() < end && System.nanoTime() < waitUntil) {
                Thread.sleep(5);
            }
            assertEquals(
                    end, storage.initialState().hardState().getCommit(), "the last commit index was never written");
        }
        assertTrue(onLoop.get() > 0, "no commit was written by the loop");
        assertEquals(0, wrongOnLoop.get(), "the loop wrote a batch with entries, a sync or no hard state");
        assertEquals(0, overlaps.get(), "two storage writes overlapped");
        assertTrue(synced.get() > 0, "the writer's synced writes went through writeAsync");
        assertEquals(false, entriesAwaitingSync.get(), "entries were written and never synced");
        assertTrue(compactions.get() > 0, "the log was never compacted behind a snapshot");
        assertEquals(0, compactionsOnLoop.get(), "a compaction ran on the loop");
        if (queuesWrites) {
            assertTrue(asyncFromLoop.get() > 0, "the writer did not run on the loop");
            // A run that compacts goes to a blocking thread, and writes what is queued there too.
            assertTrue(
                    asyncElsewhere.get() <= compactions.get(),
                    asyncElsewhere.get() + " queued writes off the loop, but only " + compactions.get()
                            + " compactions");
        } else {
            assertEquals(0, asyncFromLoop.get(), "a blocking storage was written from the loop");
        }
    }
}
