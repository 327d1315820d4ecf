package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.MembershipChangeException.Reason;
import io.raftmanager.Role;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import io.raftmanager.proto.RaftMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A voter that joined after bootstrap (so its directory holds no configuration) and then lost its disk
 * looks exactly like a brand-new server. Two rules close the hole (docs/storage-faults.md, "A wiped
 * joiner"): a leader makes a server a voter only once it holds a durable acknowledgement from it, and so
 * a blank server without a configuration that is asked to vote is a wiped voter: it refuses, and the wipe
 * becomes a detected loss.
 */
class WipedJoinerRulesTest {
    private static final ByteString W = ByteString.copyFromUtf8("SET W x");

    private static TestNode node(long id, long... voters) {
        return RuleFixtures.recoveringNode(id, voters);
    }

    private static MembershipChange change(PeerChangeType type, long... peers) {
        MembershipChange.Builder b = MembershipChange.newBuilder();
        for (long p : peers) {
            b.addChanges(PeerChange.newBuilder().setType(type).setPeer(p));
        }
        return b.build();
    }

    private static TestNetwork clusterWithJoiner() {
        return RuleFixtures.recoveringClusterLedByOneWithJoiner();
    }

    /**
     * 4 joins (learner, caught up, promoted), 3 leaves: {1, 2, 4}. W is acknowledged by 1 and 4 while 2 is
     * down. Then 1 stops, 4's disk is wiped, and 2 (without W) comes back: 4's vote would elect 2.
     */
    /** 4 joins (learner, caught up, promoted), 3 leaves and stops for good: {1, 2, 4}, led by 1. */
    private static TestNetwork fourJoinedThreeLeft() {
        TestNetwork net = clusterWithJoiner();
        TestNode leader = net.node(1);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        net.tickAndSettle(20, 1, 2, 3, 4);
        assertNull(net.node(4).raft.recovery(), "the joiner caught up and votes normally");
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4));
        net.tickAndSettle(10, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_REMOVE, 3));
        net.tickAndSettle(10, 1, 2, 3, 4);
        assertEquals(List.of(1L, 2L, 4L), net.node(2).raft.membership().getVotersList());
        net.isolate(3); // removed: stops for good
        return net;
    }

    private static TestNetwork wipedJoinerAndStaleCandidate(boolean plantBlankJoinerVotes) {
        TestNetwork net = fourJoinedThreeLeft();
        TestNode leader = net.node(1);
        net.isolate(2);
        leader.raft.propose(W);
        net.tickAndSettle(5, 1, 4);
        assertTrue(net.node(4).holds(W), "4 acknowledged W");
        assertTrue(leader.raft.log().committed() >= leader.raft.log().lastIndex(), "W is committed by {1, 4}");
        assertFalse(net.node(2).holds(W));

        net.heal();
        net.isolate(3);
        net.isolate(1); // stopped
        TestNode wiped = node(4); // the same command on an empty directory: no configuration, term 0
        if (plantBlankJoinerVotes) {
            PlantedBugs.blankJoinerVotes(wiped.raft);
        }
        net.replace(wiped);
        net.tickAndSettle(200, 2, 4);
        return net;
    }

    @Test
    void aWipedJoinerRefusesToVoteAndWSurvives() {
        TestNetwork net = wipedJoinerAndStaleCandidate(false);
        assertFalse(net.node(2).raft.role() == Role.LEADER, "2 lacks W: the wiped joiner must not elect it");
        String why = net.node(4).raft.recovery();
        assertNotNull(why);
        assertTrue(why.contains("asked to vote while blank: data lost after joining"), why);

        net.heal();
        net.isolate(3);
        net.tickAndSettle(200, 1, 2, 4);
        assertEquals(Role.LEADER, net.node(1).raft.role(), "only 1 holds W: it must lead");
        for (long id : new long[] {1, 2, 4}) {
            assertTrue(net.node(id).holds(W), "server " + id + " holds W");
            assertNull(net.node(id).raft.recovery(), "server " + id + " votes again");
        }
        assertEquals(List.of(1L, 2L, 4L), net.node(4).raft.membership().getVotersList(), "4 learned its configuration");
    }

    /** The same history with the old rule (a blank joiner votes as a new server): W is lost. */
    @Test
    void plantedBlankJoinerVotesElectsTheStaleServerAndLosesW() {
        TestNetwork net = wipedJoinerAndStaleCandidate(true);
        assertEquals(Role.LEADER, net.node(2).raft.role(), "the wiped joiner's vote elects 2");
        assertFalse(net.node(2).holds(W));
        assertFalse(net.node(4).holds(W));
    }

    private static final ByteString X = ByteString.copyFromUtf8("SET X new");
    private static final ByteString Y = ByteString.copyFromUtf8("SET Y stale");

    /**
     * {1, 2, 4} (4 joined, so its directory holds no configuration). Leader 1 is cut off and still
     * believes it leads; 2 and 4 elect a leader of a later term, which commits X with both. Then 2 stops,
     * 4 is wiped (it comes back blank, with no configuration, at term 0), 1 reaches 4 again and proposes Y.
     * Returns X's index.
     */
    private static long wipedJoinerAndStaleLeader(TestNetwork net, boolean plantAnswerAtOnce) {
        TestNode stale = net.node(1);
        net.isolate(1); // cut off; not ticked, so it still leads
        net.tickAndSettle(60, 2, 4);
        TestNode leader = net.node(2).raft.role() == Role.LEADER ? net.node(2) : net.node(4);
        assertEquals(Role.LEADER, leader.raft.role(), "2 and 4 elected a leader");
        assertTrue(leader.raft.term() > stale.raft.term());
        leader.raft.propose(X);
        net.tickAndSettle(5, 2, 4);
        long x = leader.raft.log().lastIndex();
        assertTrue(
                net.node(2).raft.log().committed() >= x
                        && net.node(4).raft.log().committed() >= x,
                "X committed");

        net.heal();
        net.isolate(3);
        net.isolate(2); // stopped
        TestNode wiped = node(4);
        if (plantAnswerAtOnce) {
            PlantedBugs.joinerAnswersLeadersAtOnce(wiped.raft);
        }
        net.replace(wiped);
        stale.raft.propose(Y);
        net.tickAndSettle(40, 1, 4);
        return x;
    }

    private static ByteString dataAt(TestNode n, long index) {
        return n.raft.log().slice(index, index + 1, Long.MAX_VALUE).get(0).getData();
    }

    private static long termAt(TestNode n, long index) {
        return n.raft.log().slice(index, index + 1, Long.MAX_VALUE).get(0).getTerm();
    }

    /** The first index both servers committed with different entries (state machine safety broken), or 0. */
    private static long committedConflict(TestNode a, TestNode b) {
        long upTo = Math.min(a.raft.log().committed(), b.raft.log().committed());
        for (long i = Math.max(a.raft.log().firstIndex(), b.raft.log().firstIndex()); i <= upTo; i++) {
            if (termAt(a, i) != termAt(b, i)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * A server without a configuration answers no leader before it has heard the voters of the
     * configurations that leader names: the wiped joiner holds stale 1's entries (it learns {1, 2, 4}
     * from 1's answer, and 2 does not answer), so 1 cannot commit Y over X. When 2 returns, 4 takes up
     * its term, refuses 1, and X is on every server.
     */
    @Test
    void aWipedJoinerAnswersNoStaleLeaderAndXSurvives() {
        TestNetwork net = fourJoinedThreeLeft();
        long x = wipedJoinerAndStaleLeader(net, false);
        assertEquals(0, committedConflict(net.node(1), net.node(2)), "1 must not commit over what 2 committed");
        assertFalse(net.node(4).holds(Y), "4 took none of the stale leader's entries");
        String why = net.node(4).raft.recovery();
        assertTrue(why.contains("no answer yet from [2"), why);

        net.heal();
        net.isolate(3);
        net.tickAndSettle(200, 1, 2, 4);
        for (long id : new long[] {1, 2, 4}) {
            TestNode n = net.node(id);
            assertTrue(n.raft.log().committed() >= x, "server " + id + " committed X's index");
            assertEquals(X, dataAt(n, x), "server " + id + " holds X at its index");
            assertNull(n.raft.recovery(), "server " + id + " votes again");
        }
    }

    /**
     * The same history with the old rule (a blank server answers the leader it hears at once): 1 and 4
     * commit 1's entries at indexes 2 and 4 had committed in the later term, and X is not among them.
     */
    @Test
    void plantedJoinerAnsweringAtOnceLetsTheStaleLeaderCommitOverX() {
        TestNetwork net = fourJoinedThreeLeft();
        wipedJoinerAndStaleLeader(net, true);
        assertNotEquals(0, committedConflict(net.node(1), net.node(2)), "1 committed over what 2 committed");
        assertFalse(net.node(1).holds(X), "X, acknowledged, is not in the committed log 1 leads with");
    }

    @Test
    void aServerThatAcknowledgedNothingCannotBecomeAVoterEvenForced() {
        TestNetwork net = clusterWithJoiner();
        TestNode leader = net.node(1);
        for (boolean force : new boolean[] {false, true}) {
            MembershipChangeException e = assertThrows(
                    MembershipChangeException.class,
                    () -> leader.raft.proposeMembershipChange(
                            change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4), force));
            assertEquals(Reason.VOTER_NOT_ACKNOWLEDGED, e.reason(), e.getMessage());
        }
        // A joint change that brings in two servers, one of them never heard from.
        net.isolate(4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        net.tickAndSettle(10, 1, 2, 3);
        MembershipChange joint = MembershipChange.newBuilder()
                .addChanges(PeerChange.newBuilder()
                        .setType(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER)
                        .setPeer(4))
                .addChanges(PeerChange.newBuilder()
                        .setType(PeerChangeType.PEER_CHANGE_TYPE_REMOVE)
                        .setPeer(3))
                .addChanges(PeerChange.newBuilder()
                        .setType(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER)
                        .setPeer(5))
                .addChanges(PeerChange.newBuilder()
                        .setType(PeerChangeType.PEER_CHANGE_TYPE_REMOVE)
                        .setPeer(2))
                .build();
        MembershipChangeException e =
                assertThrows(MembershipChangeException.class, () -> leader.raft.proposeMembershipChange(joint, true));
        assertTrue(e.reason() == Reason.VOTER_NOT_ACKNOWLEDGED || e.reason() == Reason.LEARNER_LAGGING, e.getMessage());
        assertEquals(List.of(1L, 2L, 3L), leader.raft.membership().getVotersList());
    }

    /**
     * Why the invariant matters once blank servers refuse: with the planted bug, a leader makes server 4 a
     * voter before 4 heard anything, then stops. {2, 3} need 4's vote in {1, 2, 3, 4}, and blank 4 refuses
     * (it must take itself for a wiped voter): nobody is ever elected. With the rule the change is refused,
     * and {2, 3} elect a leader of {1, 2, 3}.
     */
    @Test
    void plantedVoterWithoutAcknowledgementStrandsTheClusterTheRuleDoesNot() {
        for (boolean planted : new boolean[] {true, false}) {
            TestNetwork net = clusterWithJoiner();
            TestNode leader = net.node(1);
            if (planted) {
                PlantedBugs.votersWithoutAcknowledgement(leader.raft);
            }
            net.isolate(4);
            try {
                leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4), true);
            } catch (MembershipChangeException e) {
                assertFalse(planted, e.getMessage());
                assertEquals(Reason.VOTER_NOT_ACKNOWLEDGED, e.reason());
            }
            net.tickAndSettle(10, 1, 2, 3);
            net.heal();
            net.isolate(1); // the leader stops
            net.tickAndSettle(300, 2, 3, 4);
            boolean elected =
                    net.node(2).raft.role() == Role.LEADER || net.node(3).raft.role() == Role.LEADER;
            assertEquals(!planted, elected, planted ? "stranded: 4 refuses, as a wiped voter must" : "{2, 3} elect");
        }
    }

    /**
     * A learner that acknowledged nothing (match 0) is never "caught up", however short the log and large
     * the margin: neither for promotion nor for the live-quorum preflight.
     */
    @Test
    void matchZeroIsNeverCaughtUp() {
        TestNetwork net = clusterWithJoiner();
        TestNode leader = net.node(1);
        net.isolate(4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        net.tickAndSettle(10, 1, 2, 3);
        assertTrue(leader.raft.log().lastIndex() < leader.config.learnerCatchUpMarginEntries(), "short log");
        assertEquals(0L, leader.raft.matchIndexes().getOrDefault(4L, 0L));
        MembershipChangeException e = assertThrows(
                MembershipChangeException.class,
                () -> leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4)));
        assertEquals(Reason.LEARNER_LAGGING, e.reason(), e.getMessage());

        net.heal();
        net.tickAndSettle(10, 1, 2, 3, 4);
        assertTrue(leader.raft.matchIndexes().get(4L) > 0);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4));
        net.tickAndSettle(10, 1, 2, 3, 4);
        assertEquals(List.of(1L, 2L, 3L, 4L), net.node(4).raft.membership().getVotersList());
        assertNull(net.node(4).raft.recovery());
    }

    /**
     * A joiner wiped while the leader stays up: it knows no configuration, so it probes the leader it
     * hears from, and the leader, which still counts the lost entries as acknowledged, sends them again.
     */
    @Test
    void aJoinerWipedUnderALiveLeaderGetsTheLogAgain() {
        TestNetwork net = clusterWithJoiner();
        TestNode leader = net.node(1);
        joinAsVoter(net, leader);
        leader.raft.propose(W);
        net.tickAndSettle(5, 1, 2, 3, 4);
        long acknowledged = leader.raft.matchIndexes().get(4L);
        assertTrue(acknowledged > 2, "4 acknowledged W");

        net.replace(node(4)); // wiped; the leader stays up
        net.tickAndSettle(60, 1, 2, 3, 4);
        assertEquals(Role.LEADER, leader.raft.role());
        assertTrue(net.node(4).holds(W), "the leader sent the log again");
        assertNull(net.node(4).raft.recovery(), "and 4 recovered");
        assertEquals(List.of(1L, 2L, 3L, 4L), net.node(4).raft.membership().getVotersList());
    }

    /** A joiner that has received nothing yet joins normally: learner, catch up, promote. */
    @Test
    void aFreshJoinerStillJoinsAndVotes() {
        TestNetwork net = clusterWithJoiner();
        TestNode leader = net.node(1);
        joinAsVoter(net, leader);
        // 1 and 2 stop: 3 needs 4's vote, and gets it (4 is a caught-up voter, not a blank one).
        net.isolate(1);
        net.isolate(2);
        net.tickAndSettle(10, 3, 4);
        net.heal();
        net.isolate(1);
        net.tickAndSettle(100, 2, 3, 4);
        assertNull(net.node(4).raft.recovery());
        assertTrue(
                net.node(2).raft.role() == Role.LEADER
                        || net.node(3).raft.role() == Role.LEADER
                        || net.node(4).raft.role() == Role.LEADER,
                "{2, 3, 4} is a quorum of {1, 2, 3, 4} and elects a leader");
    }

    /** The refusal itself: a blank server without a configuration refuses a vote and a pre-vote. */
    @Test
    void aBlankServerWithoutAConfigurationRefusesVotesAndDetectsTheLoss() {
        TestNode blank = node(4);
        for (int i = 0; i < 100; i++) {
            blank.raft.tick();
            blank.processReady();
        }
        assertTrue(blank.raft.recovery().contains("waiting to learn the configuration"), blank.raft.recovery());
        assertFalse(blank.raft.recovery().contains("data lost"), blank.raft.recovery());
        blank.raft.step(RuleFixtures.preVoteRequest(blank, 1, 12, 395, 11));
        blank.raft.step(RuleFixtures.voteRequest(blank, 1, 12, 395, 11));
        List<Boolean> granted = blank.processReady().stream()
                .filter(RaftMessage::hasVoteResponse)
                .map(m -> m.getVoteResponse().getGranted())
                .toList();
        assertEquals(List.of(false, false), granted);
        assertEquals(0, blank.raft.term(), "a refused request does not raise the term");
        assertTrue(blank.raft.recovery().contains("asked to vote while blank: data lost after joining"));
        assertTrue(blank.storage.initialState().hardState().getRecovering(), "the recovery flag is on disk");
    }

    /** Server 4 joins the way the leader allows: as a learner, which catches up, then promoted to voter. */
    private static void joinAsVoter(TestNetwork net, TestNode leader) {
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        net.tickAndSettle(20, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4));
        net.tickAndSettle(10, 1, 2, 3, 4);
    }
}
