package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ClientSession;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.SessionExpiredException;
import io.raftmanager.SessionLimitException;
import io.raftmanager.SnapshotConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once client sessions (thesis §6.3) through the real runtime under the simulator: retries
 * answered from the session, across a leader failover and a restart of every node; bounded result
 * windows; expiry by the log-carried session clock, identical on every server and blind to wall-clock
 * jumps; the bound on the number of sessions.
 */
class ClientSessionTest {
    private static ByteString n(long v) {
        return ByteString.copyFromUtf8(Long.toString(v));
    }

    private static SimRuntimeCluster cluster(long seed) {
        return new SimRuntimeCluster(3, seed, b -> b.digestIntervalTicks(0));
    }

    private static ClientSession register(SimRuntimeCluster c, long leader) {
        return c.await(c.nodes.get(leader).registerSession(), 2_000).join();
    }

    private static ByteString propose(SimRuntimeCluster c, ClientSession s, long leader, long seq, long value) {
        return c.await(c.nodes.get(leader).propose(n(value), s.id(), seq), 2_000)
                .join();
    }

    private static byte[] table(SimRuntimeCluster c, long id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            c.nodes.get(id).commandsForTest().sessions().writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    @Test
    void aRetryReturnsTheOriginalResultWithoutApplyingAgain() {
        try (SimRuntimeCluster c = cluster(1)) {
            long leader = c.awaitLeader(3_000);
            ClientSession s = register(c, leader);
            assertEquals(n(5), propose(c, s, leader, 1, 5));
            assertEquals(n(5), propose(c, s, leader, 1, 5), "the retry is answered from the session");
            assertEquals(n(7), propose(c, s, leader, 2, 2));
            c.runFor(200);
            for (long id : c.nodes.keySet()) {
                assertEquals(7, c.value(id), "server " + id + " applied each sequence number once");
            }
        }
    }

    @Test
    void aRetryAfterFailoverOfACommittedFirstAttemptIsNotAppliedTwice() {
        try (SimRuntimeCluster c = cluster(2)) {
            long oldLeader = c.awaitLeader(3_000);
            ClientSession s = register(c, oldLeader);
            c.runFor(100);
            // Followers get the entry but their acks never reach the leader: it cannot see the commit.
            for (long id : c.nodes.keySet()) {
                if (id != oldLeader) {
                    c.network.cut(id, oldLeader);
                }
            }
            long seq = s.nextSequence();
            CompletableFuture<ByteString> first = s.propose(n(5), seq);
            Throwable outcome = failure(c.await(first, 5_000));
            assertInstanceOf(IndeterminateResultException.class, outcome, "the old leader cannot know: " + outcome);
            long newLeader = c.awaitLeader(5_000);
            assertTrue(newLeader != oldLeader);
            c.runFor(200);
            assertEquals(5, c.value(newLeader), "the first attempt was committed under the new leader");
            c.network.heal();
            s.moveTo(c.nodes.get(newLeader));
            assertEquals(n(5), c.await(s.propose(n(5), seq), 2_000).join(), "the retry returns the first result");
            c.runFor(300);
            for (long id : c.nodes.keySet()) {
                assertEquals(5, c.value(id), "server " + id + " applied it once");
            }
        }
    }

    @Test
    void resultsBeyondTheWindowAreDiscardedAndTheirRetriesRefused() {
        try (SimRuntimeCluster c =
                new SimRuntimeCluster(3, 3, b -> b.digestIntervalTicks(0).sessionResultWindow(3))) {
            long leader = c.awaitLeader(3_000);
            ClientSession s = register(c, leader);
            for (long seq = 1; seq <= 5; seq++) {
                assertEquals(n(seq * (seq + 1) / 2), propose(c, s, leader, seq, seq));
            }
            assertEquals(n(15), propose(c, s, leader, 5, 5));
            assertEquals(n(6), propose(c, s, leader, 3, 3), "3, 4 and 5 are kept");
            for (long seq : new long[] {1, 2}) {
                Throwable t = failure(c.await(c.nodes.get(leader).propose(n(seq), s.id(), seq), 2_000));
                SessionExpiredException e = assertInstanceOf(SessionExpiredException.class, t);
                assertEquals(SessionExpiredException.Reason.RESULT_DISCARDED, e.reason());
            }
            c.runFor(200);
            for (long id : c.nodes.keySet()) {
                assertEquals(15, c.value(id));
            }
        }
    }

    @Test
    void sessionsExpireByLeaderTimeAtTheSameIndexOnEveryServer() {
        try (SimRuntimeCluster c =
                new SimRuntimeCluster(3, 4, b -> b.digestIntervalTicks(0).sessionTimeoutMillis(1_000))) {
            long leader = c.awaitLeader(3_000);
            ClientSession idle = register(c, leader);
            ClientSession busy = register(c, leader);
            c.runFor(600);
            propose(c, busy, leader, 1, 1);
            c.runFor(700);
            propose(c, busy, leader, 2, 1); // session clock now > idle's last activity + 1 s
            Throwable t = failure(c.await(c.nodes.get(leader).propose(n(1), idle.id(), 1), 2_000));
            SessionExpiredException e = assertInstanceOf(SessionExpiredException.class, t);
            assertEquals(SessionExpiredException.Reason.UNKNOWN_SESSION, e.reason());
            assertEquals(n(3), propose(c, busy, leader, 3, 1));
            c.runFor(300);
            byte[] reference = table(c, leader);
            for (long id : c.nodes.keySet()) {
                assertEquals(3, c.value(id), "server " + id + " refused the expired session's command");
                assertArrayEquals(reference, table(c, id), "server " + id + " holds the same session table");
                assertFalse(c.nodes.get(id).commandsForTest().sessions().contains(idle.id()));
                assertTrue(c.nodes.get(id).commandsForTest().sessions().contains(busy.id()));
            }
        }
    }

    /**
     * A new leader whose wall clock jumped an hour ahead expires no session: the session clock is carried
     * by leaders' monotonic stamps. (When leaders stamped wall-clock time, this new leader's first session
     * entry moved the clock an hour on and expired every session.)
     */
    @Test
    void aForwardWallClockJumpOnANewLeaderExpiresNoSession() {
        try (SimRuntimeCluster c =
                new SimRuntimeCluster(3, 9, b -> b.digestIntervalTicks(0).sessionTimeoutMillis(60_000))) {
            long leader = c.awaitLeader(3_000);
            ClientSession s = register(c, leader);
            assertEquals(n(5), propose(c, s, leader, 1, 5));
            long next = leader % 3 + 1;
            c.wallClockOffsetMillis.put(next, 3_600_000L);
            c.await(c.nodes.get(leader).transferLeadership(next), 3_000).join();
            assertEquals(n(7), propose(c, s, next, 2, 2), "the session is alive under the new leader");
            c.runFor(300);
            byte[] reference = table(c, next);
            for (long id : c.nodes.keySet()) {
                assertEquals(7, c.value(id));
                assertTrue(c.nodes.get(id).commandsForTest().sessions().contains(s.id()));
                assertArrayEquals(reference, table(c, id), "server " + id + " holds the same session table");
            }
        }
    }

    @Test
    void aRegistrationBeyondTheSessionLimitIsRefusedOnEveryServer() {
        try (SimRuntimeCluster c =
                new SimRuntimeCluster(3, 10, b -> b.digestIntervalTicks(0).maxSessions(2))) {
            long leader = c.awaitLeader(3_000);
            ClientSession a = register(c, leader);
            register(c, leader);
            Throwable t = failure(c.await(c.nodes.get(leader).registerSession(), 2_000));
            assertEquals(2, assertInstanceOf(SessionLimitException.class, t).limit());
            assertEquals(n(4), propose(c, a, leader, 1, 4), "the existing sessions work on");
            c.runFor(200);
            for (long id : c.nodes.keySet()) {
                assertEquals(2, c.nodes.get(id).commandsForTest().sessions().size(), "server " + id);
            }
        }
    }

    @Test
    void anUnknownSessionIsRefusedTyped() {
        try (SimRuntimeCluster c = cluster(5)) {
            long leader = c.awaitLeader(3_000);
            Throwable t = failure(c.await(c.nodes.get(leader).propose(n(1), 999, 1), 2_000));
            assertEquals(
                    SessionExpiredException.Reason.UNKNOWN_SESSION,
                    assertInstanceOf(SessionExpiredException.class, t).reason());
            c.runFor(100);
            assertEquals(0, c.value(leader));
        }
    }

    @Test
    void sessionsSurviveARestartOfEveryServerBecauseTheyAreInTheLog() {
        try (SimRuntimeCluster c = cluster(6)) {
            long leader = c.awaitLeader(3_000);
            ClientSession s = register(c, leader);
            assertEquals(n(7), propose(c, s, leader, 1, 7));
            c.runFor(200);
            c.restartAll(3);
            long newLeader = c.awaitLeader(5_000);
            assertEquals(n(7), propose(c, s, newLeader, 1, 7), "the retry is answered after the restart");
            assertEquals(n(8), propose(c, s, newLeader, 2, 1));
            c.runFor(200);
            for (long id : c.nodes.keySet()) {
                assertEquals(8, c.value(id), "server " + id + " re-applied the log once");
            }
        }
    }

    @Test
    void sessionsTravelInSnapshotsToALaggingFollowerAndThroughARestartFromSnapshot() {
        SnapshotConfig policy =
                SnapshotConfig.builder().everyEntries(5).trailingEntries(0).build();
        try (SimRuntimeCluster c = new SimRuntimeCluster(
                3, 8, b -> b.digestIntervalTicks(0).snapshot(policy), id -> CounterStateMachine.withSnapshots())) {
            long leader = c.awaitLeader(3_000);
            long lagging = leader == 3 ? 2 : 3;
            c.stop(lagging);
            ClientSession s = register(c, leader);
            assertEquals(n(7), propose(c, s, leader, 1, 7));
            for (long seq = 2; seq <= 20; seq++) {
                propose(c, s, leader, seq, 1);
            }
            c.runFor(500);
            assertTrue(
                    c.storages.get(leader).firstIndex() > 3,
                    "the leader compacted its log behind a snapshot, so the lagging server needs one");
            c.start(lagging);
            c.runFor(2_000);
            assertEquals(26, c.value(lagging), "the lagging server caught up");
            assertArrayEquals(table(c, leader), table(c, lagging), "the session table arrived with the snapshot");

            c.restartAll(3);
            long newLeader = c.awaitLeader(5_000);
            assertEquals(n(7), propose(c, s, newLeader, 1, 7), "a retry is answered from a restored table");
            assertEquals(n(27), propose(c, s, newLeader, 21, 1));
            c.runFor(200);
            for (long id : c.nodes.keySet()) {
                assertEquals(27, c.value(id), "server " + id + " applied each command once");
            }
        }
    }

    @Test
    void clientSessionNumbersCommandsAndRefusesUnreservedSequences() {
        try (SimRuntimeCluster c = cluster(7)) {
            long leader = c.awaitLeader(3_000);
            ClientSession s = register(c, leader);
            assertEquals(n(2), c.await(s.propose(n(2)), 2_000).join());
            assertEquals(n(5), c.await(s.propose(n(3)), 2_000).join());
            assertThrows(IllegalArgumentException.class, () -> s.propose(n(1), 3));
            assertThrows(IllegalArgumentException.class, () -> s.propose(n(1), 0));
            assertEquals(n(2), c.await(s.propose(n(2), 1), 2_000).join(), "a retry of sequence 1");
            assertThrows(
                    IllegalArgumentException.class, () -> c.nodes.get(leader).propose(n(1), 0, 1));
        }
    }
}
