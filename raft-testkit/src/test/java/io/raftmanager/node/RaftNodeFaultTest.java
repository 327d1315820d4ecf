package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.raftmanager.ClosedException;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.StateMachine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.testkit.SimScheduler;
import io.raftmanager.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runtime under faults: every proposal ends applied, rejected or unknown, and nothing acknowledged is lost. */
class RaftNodeFaultTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static ByteString cmd(long n) {
        return ByteString.copyFromUtf8(Long.toString(n));
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    void failoverUnderLoadLosesNoAcknowledgedWriteAndLeavesNoFutureHanging(int size) {
        try (LocalCluster c = new LocalCluster(size)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long leaderId = leader.status().join().id();
            List<CompletableFuture<ByteString>> futures = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(leader.propose(cmd(1)));
                if (i == 1_000) {
                    c.network.isolate(leaderId);
                }
            }
            int applied = 0;
            int rejected = 0;
            int unknown = 0;
            for (CompletableFuture<ByteString> f : futures) {
                try {
                    f.orTimeout(30, TimeUnit.SECONDS).join();
                    applied++;
                } catch (CompletionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IndeterminateResultException) {
                        unknown++;
                    } else if (cause instanceof NotLeaderException || cause instanceof ProposalDroppedException) {
                        rejected++;
                    } else {
                        fail("proposal ended with " + cause);
                    }
                }
            }
            assertEquals(futures.size(), applied + rejected + unknown);
            c.network.heal();
            // Every applied increment is in the final state; unknown ones may or may not be.
            long finalValue = Long.parseLong(c.proposeAtLeader(cmd(0), TIMEOUT).toStringUtf8());
            assertTrue(
                    finalValue >= applied && finalValue <= applied + unknown,
                    "final " + finalValue + ", applied " + applied + ", unknown " + unknown);
            for (long id : c.ids()) {
                LocalCluster.await(
                        () -> Long.parseLong(c.machines
                                        .get(id)
                                        .query(ByteString.EMPTY)
                                        .toStringUtf8())
                                == finalValue,
                        TIMEOUT,
                        "node " + id + " to converge on " + finalValue);
            }
        }
    }

    @Test
    void backpressureRefusesBeyondTheBoundAndReleasesAfterwards() {
        LocalNetwork net = new LocalNetwork();
        SimScheduler scheduler = new SimScheduler(); // workers run only when told: proposals stay pending
        RaftConfig config =
                LocalCluster.config(1).toBuilder().maxPendingProposals(10).build();
        try (RaftNode node = RaftNode.builder()
                .config(config)
                .storage(MemoryLogStorage.withVoters(1, 2))
                .transport(net.transport(1))
                .stateMachine(new CounterStateMachine())
                .scheduler(scheduler)
                .build()) {
            node.start();
            List<CompletableFuture<ByteString>> first = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                first.add(node.propose(cmd(1)));
            }
            CompletionException e = assertThrows(
                    CompletionException.class, () -> node.propose(cmd(1)).join());
            assertInstanceOf(OverloadedException.class, e.getCause());
            scheduler.runUntilIdle();
            // Node 1 cannot lead alone (peer 2 never answers), so the ten fail with NotLeader and free their slots.
            for (CompletableFuture<ByteString> f : first) {
                CompletionException ex = assertThrows(CompletionException.class, f::join);
                assertInstanceOf(NotLeaderException.class, ex.getCause());
            }
            CompletableFuture<ByteString> again = node.propose(cmd(1));
            scheduler.runUntilIdle();
            CompletionException ex = assertThrows(CompletionException.class, again::join);
            assertInstanceOf(NotLeaderException.class, ex.getCause(), "the bound released: refused for another reason");
        }
    }

    @Test
    void oversizedCommandIsRefusedWithoutEnteringTheLog() {
        try (LocalCluster c = new LocalCluster(1)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            ByteString big = ByteString.copyFrom(new byte[(int) RaftConfig.DEFAULT_MAX_MESSAGE_BYTES + 1]);
            CompletionException e = assertThrows(
                    CompletionException.class, () -> leader.propose(big).join());
            assertInstanceOf(ProposalDroppedException.class, e.getCause());
        }
    }

    @Test
    void closeDuringLoadFailsEveryPendingFutureWithClosed() {
        try (LocalCluster c = new LocalCluster(3)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            List<CompletableFuture<ByteString>> futures = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                futures.add(leader.propose(cmd(1)));
            }
            leader.close();
            Set<Class<?>> outcomes = new HashSet<>();
            for (CompletableFuture<ByteString> f : futures) {
                try {
                    f.orTimeout(10, TimeUnit.SECONDS).join();
                    outcomes.add(ByteString.class);
                } catch (CompletionException e) {
                    outcomes.add(e.getCause().getClass());
                    if (!(e.getCause() instanceof ClosedException
                            || e.getCause() instanceof IndeterminateResultException
                            || e.getCause() instanceof NotLeaderException)) {
                        fail("unexpected outcome " + e.getCause());
                    }
                }
            }
            assertTrue(outcomes.size() >= 1, outcomes.toString());
            CompletionException after = assertThrows(
                    CompletionException.class, () -> leader.propose(cmd(1)).join());
            assertInstanceOf(ClosedException.class, after.getCause());
        }
    }

    @Test
    void stateMachineThatThrowsStopsTheNodeWithoutSkippingAnEntry() {
        LocalNetwork net = new LocalNetwork();
        List<Long> appliedIndexes = new ArrayList<>();
        StateMachine failing = new StateMachine() {
            @Override
            public ByteString apply(long index, ByteString command) {
                if (command.toStringUtf8().equals("boom")) {
                    throw new IllegalStateException("boom at " + index);
                }
                appliedIndexes.add(index);
                return command;
            }

            @Override
            public ByteString query(ByteString query) {
                return query;
            }
        };
        RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1))
                .storage(MemoryLogStorage.withVoters(1))
                .transport(net.transport(1))
                .stateMachine(failing)
                .build();
        node.start();
        try {
            awaitLeading(node);
            CompletionException boom = assertThrows(
                    CompletionException.class,
                    () -> node.propose(ByteString.copyFromUtf8("boom"))
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join());
            assertInstanceOf(IllegalStateException.class, boom.getCause());
            int before = appliedIndexes.size();
            LocalCluster.await(
                    () -> {
                        CompletionException e = assertThrows(
                                CompletionException.class,
                                () -> node.propose(cmd(2))
                                        .orTimeout(30, TimeUnit.SECONDS)
                                        .join());
                        return e.getCause() instanceof ClosedException;
                    },
                    TIMEOUT,
                    "the node to stop after the failure");
            assertEquals(before, appliedIndexes.size(), "nothing applied after the failed entry");
        } finally {
            node.close();
        }
    }

    /**
     * A worker that dies on an unexpected throwable (here the applier, through a query that throws an Error)
     * fails the whole node: the read fails with it and every later call with {@link ClosedException} instead
     * of waiting forever on a node whose applier is gone.
     */
    @Test
    void aWorkerThatDiesFailsTheWholeNode() {
        LocalNetwork net = new LocalNetwork();
        StateMachine dying = new StateMachine() {
            @Override
            public ByteString apply(long index, ByteString command) {
                return command;
            }

            @Override
            public ByteString query(ByteString query) {
                throw new AssertionError("the applier dies here");
            }
        };
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1))
                .storage(MemoryLogStorage.withVoters(1))
                .transport(net.transport(1))
                .stateMachine(dying)
                .metrics(new NodeMetrics() {
                    @Override
                    public void recordFailure(String where) {
                        failures.add("metric " + where);
                    }
                })
                .build();
        node.addListener(new io.raftmanager.RaftListener() {
            @Override
            public void onFailure(String where, Throwable cause) {
                failures.add("listener " + where + " " + cause.getClass().getSimpleName());
            }
        });
        node.start();
        try {
            awaitLeading(node);
            CompletionException read = assertThrows(
                    CompletionException.class,
                    () -> node.read(ByteString.EMPTY, io.raftmanager.ReadConsistency.STALE)
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join());
            assertInstanceOf(AssertionError.class, read.getCause(), "the read must fail, not time out");
            // Proposals racing the stop may still enter the log (indeterminate); then the node refuses.
            LocalCluster.await(
                    () -> {
                        CompletionException e = assertThrows(
                                CompletionException.class,
                                () -> node.propose(cmd(2))
                                        .orTimeout(30, TimeUnit.SECONDS)
                                        .join());
                        return e.getCause() instanceof ClosedException;
                    },
                    TIMEOUT,
                    "the node to stop after its applier died");
            // The refusal can be seen before the listener has been called (it runs right after).
            LocalCluster.await(() -> failures.size() >= 2, TIMEOUT, "the failure to be reported");
            node.close(); // everything that could still report has stopped
            assertEquals(2, failures.size(), failures::toString); // once each: a metric and the listener
            assertTrue(failures.get(0).startsWith("metric "), failures::toString);
            assertTrue(
                    failures.get(1).startsWith("listener ") && failures.get(1).endsWith(" AssertionError"),
                    failures::toString);
        } finally {
            node.close();
        }
    }

    /** Waits until a single-voter node leads: until a proposal on it succeeds. */
    private static void awaitLeading(RaftNode node) {
        LocalCluster.await(
                () -> {
                    try {
                        node.propose(cmd(1)).orTimeout(5, TimeUnit.SECONDS).join();
                        return true;
                    } catch (CompletionException e) {
                        return false;
                    }
                },
                TIMEOUT,
                "the single node to lead");
    }
}
