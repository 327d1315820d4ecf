package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The shared engine: a worker's runs never overlap and never miss a wake; groups share a fixed thread set. */
class RaftEngineTest {
    private static void await(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    /** Drains a queue that producers fill; records overlapping runs. */
    private static final class Draining implements Worker {
        final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger inRun = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicLong drained = new AtomicLong();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public int doWork() {
            if (inRun.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            int n = 0;
            while (n < 1000 && queue.poll() != null) {
                n++;
            }
            drained.addAndGet(n);
            inRun.decrementAndGet();
            return n;
        }

        @Override
        public void onClose() {
            closes.incrementAndGet();
        }
    }

    @Test
    void wakesFromManyThreadsNeverOverlapRunsAndNeverGetLost() throws Exception {
        for (WorkerKind kind : WorkerKind.values()) {
            try (RaftEngine engine = RaftEngine.builder()
                    .loops(2)
                    .diskThreads(2)
                    .blockingThreads(2)
                    .name("wr")
                    .build()) {
                Draining w = new Draining();
                WorkerHandle h = engine.start("draining", w, kind, this);
                int producers = 4;
                int each = 50_000;
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    Thread t = new Thread(() -> {
                        for (int i = 0; i < each; i++) {
                            w.queue.add(i);
                            h.wake();
                        }
                    });
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join();
                }
                await(() -> w.drained.get() == (long) producers * each, kind + ": every item drained");
                assertEquals(0, w.overlaps.get(), kind + ": runs overlapped");
                h.stop();
                h.stop();
                assertEquals(1, w.closes.get(), kind + ": onClose once");
                w.queue.add(1);
                h.wake();
                assertEquals((long) producers * each, w.drained.get(), kind + ": ran after stop");
            }
        }
    }

    @Test
    void anIdleWorkerRunsAgainWhenItsDeadlineComes() {
        try (RaftEngine engine = RaftEngine.builder().loops(1).name("timer").build()) {
            AtomicInteger runs = new AtomicInteger();
            engine.start(
                    "ticking",
                    new Worker() {
                        @Override
                        public int doWork() {
                            runs.incrementAndGet();
                            return 0;
                        }

                        @Override
                        public long idleNanos() {
                            return TimeUnit.MILLISECONDS.toNanos(2);
                        }
                    },
                    WorkerKind.LOOP,
                    this);
            await(() -> runs.get() >= 10, "ten timed runs");
        }
    }

    @Test
    void manyGroupsShareTheEnginesFixedThreadsAndSpreadOverItsLoops() {
        int groups = 16;
        try (RaftEngine engine = RaftEngine.builder()
                .loops(2)
                .diskThreads(1)
                .blockingThreads(1)
                .name("multi")
                .build()) {
            List<RaftNode> nodes = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                RaftNode n = RaftNode.builder()
                        .config(RaftConfig.builder()
                                .nodeId(1)
                                .clusterId("c")
                                .groupId(g)
                                .tickMillis(10)
                                .build())
                        .storage(MemoryLogStorage.withVoters(1))
                        .transport(new LocalNetwork().transport(1))
                        .stateMachine(new CounterStateMachine())
                        .scheduler(engine)
                        .random(new SplittableRandom(g))
                        .build();
                n.start();
                nodes.add(n);
            }
            assertEquals(List.of(groups / 2, groups / 2), engine.groupsPerLoop(), "groups per loop");
            for (RaftNode n : nodes) {
                CompletableFuture<ByteString> f = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (f == null || f.isCompletedExceptionally()) {
                    assertTrue(System.nanoTime() < deadline, "group never accepted a proposal");
                    f = n.propose(ByteString.copyFromUtf8("1"));
                    try {
                        f.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        Thread.onSpinWait(); // not elected yet
                    }
                }
            }
            long engineThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("multi-"))
                    .count();
            assertTrue(engineThreads <= 4, engineThreads + " engine threads for " + groups + " groups");
            nodes.forEach(RaftNode::close);
            assertEquals(List.of(0, 0), engine.groupsPerLoop(), "closed groups still pinned");
        }
    }
}
