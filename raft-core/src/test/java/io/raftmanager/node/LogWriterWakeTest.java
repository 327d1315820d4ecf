package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.core.Ready;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.WriteCompletion;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A log engine completes a group's write on its own thread. The writer acknowledges a success to the
 * loop at once; it needs a run of its own afterwards only when work waits behind that write (a queued
 * Ready, a failure, a full disk): otherwise the next submit's wake-up takes the outcome. On a loop hosting
 * many groups, a run per write was a hand-off per write and group.
 */
class LogWriterWakeTest {
    private final List<List<LogBatch>> writes = new ArrayList<>();
    private final List<WriteCompletion> completions = new ArrayList<>();
    private final List<Object> posted = new ArrayList<>();
    private int wakes;

    private LogWriter writer() {
        MemoryLogStorage memory = MemoryLogStorage.withVoters(1);
        LogStorage storage = (LogStorage) Proxy.newProxyInstance(
                LogStorage.class.getClassLoader(), new Class<?>[] {LogStorage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("queuesWrites")) {
                        return true;
                    }
                    if (method.getName().equals("writeAsync")) {
                        @SuppressWarnings("unchecked")
                        List<LogBatch> batches = (List<LogBatch>) args[0];
                        writes.add(batches);
                        completions.add((WriteCompletion) args[1]); // completed by the test, as by a committer
                        return null;
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Scheduler clock = new Scheduler() {
            @Override
            public WorkerHandle start(String name, Worker worker) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nanoTime() {
                return 0;
            }
        };
        LogWriter w = new LogWriter(storage, NodeMetrics.NOOP, posted::add, clock, 0);
        w.bind(new WorkerHandle() {
            @Override
            public void wake() {
                wakes++;
            }

            @Override
            public void stop() {}
        });
        return w;
    }

    private static Ready entryReady(long number) {
        Entry e = Entry.newBuilder().setIndex(number + 1).setTerm(1).build();
        HardState hs = HardState.newBuilder().setTerm(1).build();
        return new Ready(number, null, hs, List.of(e), List.of(), List.of(), List.of(), List.of(), null, null, true);
    }

    @Test
    void aSuccessWithNothingQueuedBehindItNeedsNoRunAndTheNextSubmitTakesItsOutcome() {
        LogWriter w = writer();
        w.submit(entryReady(1));
        assertEquals(1, wakes, "a submit wakes the writer");
        w.doWork();
        assertEquals(1, writes.size());

        completions.get(0).completed(1, null);
        assertEquals(1, wakes, "a success with nothing queued woke the writer for a run of its own");
        assertEquals(1, posted.size(), "the success was not acknowledged to the loop at once");
        Inputs.Persisted first = assertInstanceOf(Inputs.Persisted.class, posted.get(0));
        assertEquals(1, first.readyNumber());

        w.submit(entryReady(2));
        assertEquals(2, wakes);
        w.doWork();
        assertEquals(2, writes.size(), "the next Ready was not written after the earlier outcome");
        completions.get(1).completed(1, null);
        assertEquals(2, posted.size());
        assertEquals(2, ((Inputs.Persisted) posted.get(1)).readyNumber());
    }

    @Test
    void aSuccessWithAReadyQueuedBehindItWakesTheWriter() {
        LogWriter w = writer();
        w.submit(entryReady(1));
        w.doWork();
        w.submit(entryReady(2)); // its wake finds the write in flight: that run returns at once
        w.doWork();
        assertEquals(1, writes.size(), "a second write overlapped the first");
        int before = wakes;

        completions.get(0).completed(1, null);
        assertEquals(before + 1, wakes, "the Ready waiting behind the write was left without a run");
        w.doWork();
        assertEquals(2, writes.size());
    }

    @Test
    void aFailureWakesTheWriterWhichReportsItFatal() {
        LogWriter w = writer();
        w.submit(entryReady(1));
        w.doWork();
        int before = wakes;

        completions.get(0).completed(0, new StorageException("disk gone"));
        assertEquals(before + 1, wakes, "a failure must reach the writer without waiting for another submit");
        assertTrue(posted.isEmpty(), "a failed write was acknowledged");
        w.doWork();
        assertInstanceOf(Inputs.Fatal.class, posted.get(0));
    }
}
