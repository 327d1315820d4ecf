package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.testkit.SimScheduler;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An honest outcome when the node closes just after a proposal entered the log (issue 17, item 4). The
 * interleaving is forced with latches: the proposing thread has posted its proposal and is about to return;
 * another thread closes the node, and the event loop's last pass takes the proposal into the log before
 * it stops; only then does the proposing thread check whether the node closed meanwhile. That check used
 * to fail the proposal with ClosedException ("definitely not applied", so raft-kv answered -CLUSTERDOWN
 * and a client retried), although the entry was in the log and could commit.
 */
class CloseOutcomeTest {
    /** Delegates to a SimScheduler; the loop's wake can be armed to close the node from another thread. */
    private static final class InterleavingScheduler implements Scheduler {
        final SimScheduler sim = new SimScheduler();
        volatile RaftNode node;
        volatile boolean armed;
        final CountDownLatch loopPassDone = new CountDownLatch(1);
        final CountDownLatch proposerDone = new CountDownLatch(1);
        Thread closer;

        @Override
        public WorkerHandle start(String name, Worker worker) {
            WorkerHandle h = sim.start(name, worker);
            if (!name.endsWith("-loop")) {
                return h;
            }
            return new WorkerHandle() {
                @Override
                public void wake() {
                    if (armed) {
                        armed = false;
                        closer = new Thread(() -> node.close(), "closer");
                        closer.start();
                        await(loopPassDone);
                    }
                }

                @Override
                public void stop() {
                    if (closer != null && Thread.currentThread() == closer) {
                        worker.doWork(); // the loop's last pass: the proposal enters the log
                        loopPassDone.countDown();
                        await(proposerDone);
                    }
                    h.stop();
                }
            };
        }

        @Override
        public long nanoTime() {
            return sim.nanoTime();
        }

        private static void await(CountDownLatch l) {
            try {
                assertTrue(l.await(30, TimeUnit.SECONDS), "interleaving latch timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aProposalInTheLogWhenTheNodeClosesEndsIndeterminateNotClosed() throws Exception {
        InterleavingScheduler scheduler = new InterleavingScheduler();
        LocalNetwork network = new LocalNetwork();
        MemoryLogStorage storage = MemoryLogStorage.withVoters(1);
        RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1).toBuilder()
                        .digestIntervalTicks(0)
                        .build())
                .storage(storage)
                .transport(network.transport(1))
                .stateMachine(new CounterStateMachine())
                .scheduler(scheduler)
                .random(new SplittableRandom(1))
                .build();
        scheduler.node = node;
        node.start();
        for (int i = 0; i < 200 && leaderRole(node, scheduler) != Role.LEADER; i++) {
            scheduler.sim.runFor(TimeUnit.MILLISECONDS.toNanos(10));
        }
        long before = storage.lastIndex();
        scheduler.armed = true;
        CompletableFuture<ByteString> f = node.propose(ByteString.copyFromUtf8("1"));
        scheduler.proposerDone.countDown();
        scheduler.closer.join(30_000);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(
                IndeterminateResultException.class,
                e.getCause(),
                "the entry entered the log (last index " + before + " before): its outcome is unknown");
    }

    private static Role leaderRole(RaftNode node, InterleavingScheduler s) {
        CompletableFuture<io.raftmanager.NodeStatus> st = node.status();
        s.sim.runUntilIdle();
        return st.join().role();
    }
}
