package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ClientSession;
import io.raftmanager.ReadConsistency;
import io.raftmanager.ReplicaDivergedException;
import io.raftmanager.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Replica consistency verification through the real runtime under the simulator: digests agree in normal
 * operation; a server whose state machine is nondeterministic is found at the next digest marker,
 * reported by listener, metric and log, and stops applying, serving and voting.
 */
class ConsistencyVerificationTest {
    /** A counter that, on the server named by {@code divergent}, adds one too many: a nondeterministic bug. */
    static final class DivergingCounter implements StateMachine {
        private final long id;
        private final AtomicLong divergent;
        private long value;
        long applied;

        DivergingCounter(long id, AtomicLong divergent) {
            this.id = id;
            this.divergent = divergent;
        }

        @Override
        public ByteString apply(long index, ByteString command) {
            applied++;
            value += Long.parseLong(command.toStringUtf8()) + (divergent.get() == id ? 1 : 0);
            return ByteString.copyFromUtf8(Long.toString(value));
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(Long.toString(value));
        }
    }

    private static ByteString one() {
        return ByteString.copyFromUtf8("1");
    }

    private static SimRuntimeCluster cluster(long seed, AtomicLong divergent) {
        return new SimRuntimeCluster(3, seed, b -> b.digestIntervalTicks(4), id -> new DivergingCounter(id, divergent));
    }

    private static void load(SimRuntimeCluster c, long leader, int commands) {
        for (int i = 0; i < commands; i++) {
            c.nodes.get(leader).propose(one());
            c.runFor(30);
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(CompletionException.class, f::join).getCause();
    }

    @Test
    void digestsAgreeOnEveryServerInNormalOperation() {
        try (SimRuntimeCluster c = cluster(11, new AtomicLong())) {
            long leader = c.awaitLeader(3_000);
            ClientSession s =
                    c.await(c.nodes.get(leader).registerSession(), 2_000).join();
            for (int i = 0; i < 10; i++) {
                s.propose(one());
                load(c, leader, 2);
            }
            c.runFor(500);
            long agreedAt = c.nodes.get(leader).verifierForTest().lastAgreedIndex();
            assertTrue(agreedAt > 0, "a quorum agreed on a marker");
            Long expected = c.nodes.get(leader).verifierForTest().digestAt(agreedAt);
            assertNotNull(expected);
            for (long id : c.nodes.keySet()) {
                assertEquals(expected, c.nodes.get(id).verifierForTest().digestAt(agreedAt), "server " + id);
            }
            assertEquals(List.of(), c.divergences);
            assertEquals(0, c.divergenceMetric.size());
        }
    }

    @Test
    void aDivergedFollowerIsReportedAndStopsApplyingServingAndVoting() {
        AtomicLong divergent = new AtomicLong();
        try (SimRuntimeCluster c = cluster(12, divergent)) {
            long leader = c.awaitLeader(3_000);
            long bad = leader == 1 ? 2 : 1;
            long good = 6 - leader - bad;
            divergent.set(bad);
            load(c, leader, 10);
            c.runFor(500);
            assertTrue(
                    c.divergences.stream().anyMatch(d -> d.startsWith(leader + ": " + bad + " at ")),
                    "the leader reports " + bad + ": " + c.divergences);
            assertTrue(
                    c.divergences.stream().anyMatch(d -> d.startsWith(bad + ": " + bad + " at ")),
                    "the diverged server reports itself: " + c.divergences);
            assertTrue(c.divergenceMetric.getOrDefault(leader, 0) >= 1);
            assertTrue(c.divergenceMetric.getOrDefault(bad, 0) >= 1);
            assertEquals(0, c.divergenceMetric.getOrDefault(good, 0));

            DefaultRaftNode badNode = c.nodes.get(bad);
            assertInstanceOf(ReplicaDivergedException.class, failure(badNode.propose(one())));
            assertInstanceOf(
                    ReplicaDivergedException.class, failure(badNode.read(ByteString.EMPTY, ReadConsistency.STALE)));

            long appliedByBad = ((DivergingCounter) c.machines.get(bad)).applied;
            long appliedByGood = ((DivergingCounter) c.machines.get(good)).applied;
            load(c, leader, 5);
            c.runFor(300);
            assertEquals(appliedByBad, ((DivergingCounter) c.machines.get(bad)).applied, "it stopped applying");
            assertTrue(((DivergingCounter) c.machines.get(good)).applied > appliedByGood);

            // Without the leader, the healthy follower needs the diverged server's vote: it never gets it.
            c.stop(leader);
            c.runFor(3_000);
            assertEquals(0, c.leaderOrZero(), "no leader: the diverged server neither votes nor campaigns");
        }
    }

    @Test
    void aDivergedLeaderHaltsItselfAndTheOthersElectANewOne() {
        AtomicLong divergent = new AtomicLong();
        try (SimRuntimeCluster c = cluster(13, divergent)) {
            long leader = c.awaitLeader(3_000);
            divergent.set(leader);
            load(c, leader, 10);
            c.runFor(500);
            assertTrue(
                    c.divergences.stream().anyMatch(d -> d.equals(leader + ": " + leader + " at " + d.split(" ")[3])),
                    "the leader finds itself in the minority: " + c.divergences);
            long next = c.awaitLeader(5_000);
            assertNotEquals(leader, next);
            ByteString before = c.machines.get(next).query(ByteString.EMPTY);
            assertEquals(
                    Long.parseLong(before.toStringUtf8()) + 1,
                    Long.parseLong(c.await(c.nodes.get(next).propose(one()), 2_000)
                            .join()
                            .toStringUtf8()));
        }
    }
}
