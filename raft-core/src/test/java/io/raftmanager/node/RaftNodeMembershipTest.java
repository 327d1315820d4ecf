package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Membership;
import io.raftmanager.MembershipChange;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.RaftNode;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RaftNodeMembershipTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Membership changeAtLeader(LocalCluster c, MembershipChange change) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return c.awaitLeader(TIMEOUT)
                        .changeMembership(change)
                        .orTimeout(30, TimeUnit.SECONDS)
                        .join();
            } catch (CompletionException e) {
                boolean retryable = e.getCause() instanceof io.raftmanager.NotLeaderException
                        || (e.getCause() instanceof MembershipChangeException m
                                && (m.reason() == MembershipChangeException.Reason.LEARNER_LAGGING
                                        || m.reason() == MembershipChangeException.Reason.CHANGE_IN_PROGRESS
                                        || m.reason() == MembershipChangeException.Reason.LEADER_NOT_READY
                                        // a loaded machine can delay heartbeats past the liveness window
                                        || m.reason() == MembershipChangeException.Reason.NO_LIVE_QUORUM));
                if (!retryable || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void addALearnerPromoteItThenRemoveAnotherVoterUnderTraffic() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("10"), TIMEOUT);
            c.storages.put(4L, MemoryLogStorage.joining()); // joins empty
            c.start(4);
            Membership m = changeAtLeader(c, MembershipChange.addLearner(4));
            assertTrue(m.learners().contains(4L), m.toString());
            m = changeAtLeader(c, MembershipChange.promote(4));
            assertTrue(m.voters().contains(4L), m.toString());
            c.proposeAtLeader(ByteString.copyFromUtf8("5"), TIMEOUT);
            m = changeAtLeader(c, MembershipChange.remove(2));
            assertEquals(3, m.voters().size(), m.toString());
            assertEquals(
                    "16",
                    c.proposeAtLeader(ByteString.copyFromUtf8("1"), TIMEOUT).toStringUtf8());
            LocalCluster.await(
                    () -> c.machines
                            .get(4L)
                            .query(ByteString.EMPTY)
                            .toStringUtf8()
                            .equals("16"),
                    TIMEOUT,
                    "the new voter to apply everything");
        }
    }

    @Test
    void invalidChangeIsRefusedWithATypedError() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("1"), TIMEOUT);
            LocalCluster.await(
                    () -> {
                        // An empty change leaves a joint configuration; there is none to leave.
                        CompletionException e = assertThrows(
                                CompletionException.class,
                                () -> c.awaitLeader(TIMEOUT)
                                        .changeMembership(MembershipChange.leaveJoint())
                                        .orTimeout(30, TimeUnit.SECONDS)
                                        .join());
                        return e.getCause() instanceof MembershipChangeException m
                                && m.reason() == MembershipChangeException.Reason.NOT_JOINT;
                    },
                    TIMEOUT,
                    "a NOT_JOINT refusal from the leader");
        }
    }

    @Test
    void leadershipTransferMovesTheLeader() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("1"), TIMEOUT);
            LocalCluster.await(
                    () -> {
                        RaftNode leader = c.awaitLeader(TIMEOUT);
                        long self = leader.status().join().id();
                        long target = self == 3 ? 2 : 3;
                        try {
                            leader.transferLeadership(target)
                                    .orTimeout(30, TimeUnit.SECONDS)
                                    .join();
                        } catch (CompletionException e) {
                            return false;
                        }
                        return c.nodes.get(target).status().join().role() == io.raftmanager.Role.LEADER
                                || c.nodes.get(target).state().leader().equals(java.util.OptionalLong.of(target));
                    },
                    TIMEOUT,
                    "leadership to move to the target");
        }
    }

    @Test
    void transferToAStrangerIsRefused() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("1"), TIMEOUT);
            RaftNode leader = c.awaitLeader(TIMEOUT);
            CompletionException e = assertThrows(
                    CompletionException.class,
                    () -> leader.transferLeadership(42)
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join());
            assertTrue(
                    e.getCause() instanceof io.raftmanager.LeadershipTransferException
                            || e.getCause() instanceof io.raftmanager.NotLeaderException,
                    String.valueOf(e.getCause()));
            assertInstanceOf(RuntimeException.class, e.getCause());
        }
    }
}
