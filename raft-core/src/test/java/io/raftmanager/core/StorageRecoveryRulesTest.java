package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.VoteRequest;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The storage-fault recovery rules (docs/storage-faults.md): a server that starts from empty or lost
 * storage grants no vote and does not campaign until the cluster confirms what it may have forgotten.
 */
class StorageRecoveryRulesTest {
    private static final ByteString W = ByteString.copyFromUtf8("SET W x");

    private static TestNode node(long id, long... voters) {
        return TestNode.create(id, b -> b.storageRecovery(true), voters);
    }

    private static TestNetwork cluster() {
        return new TestNetwork(node(1, 1, 2, 3), node(2, 1, 2, 3), node(3, 1, 2, 3));
    }

    /** Ticks every non-isolated node once and lets the network settle, {@code rounds} times. */
    private static void run(TestNetwork net, int rounds, long... down) {
        for (int i = 0; i < rounds; i++) {
            for (long id = 1; id <= 3; id++) {
                if (!contains(down, id)) {
                    net.node(id).raft.tick();
                }
            }
            net.stabilize();
        }
    }

    private static boolean contains(long[] ids, long id) {
        for (long x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** The leader among the servers that are up (a stopped leader may still think it leads). */
    private static TestNode leader(TestNetwork net, long... down) {
        for (long id = 1; id <= 3; id++) {
            if (!contains(down, id) && net.node(id).raft.role() == Role.LEADER) {
                return net.node(id);
            }
        }
        return null;
    }

    /** Lets {1, 2, 3} elect a leader and replicate W to everyone; returns the leader. */
    private static TestNode leaderThatCommittedW(TestNetwork net) {
        run(net, 80);
        TestNode leader = leader(net);
        assertNotNull(leader);
        leader.raft.propose(W);
        run(net, 10);
        return leader;
    }

    /** Replaces a node's disk with an empty one, as a replaced or wiped data directory would. */
    private static TestNode wipe(TestNetwork net, long id, boolean recovery) {
        TestNode fresh = TestNode.create(id, b -> b.storageRecovery(recovery), 1, 2, 3);
        net.replace(fresh);
        return fresh;
    }

    @Test
    void aBrandNewClusterFormsOnceEveryVoterConfirmsItIsEmpty() {
        TestNetwork net = cluster();
        net.isolate(3); // never started
        run(net, 60, 3);
        assertNull(leader(net), "two servers must not form a new cluster without the third");
        assertTrue(
                net.node(1).raft.recovery().contains("confirm a new cluster"),
                net.node(1).raft.recovery());
        assertTrue(net.node(1).raft.recovery().contains("[3]"), net.node(1).raft.recovery());

        net.heal();
        run(net, 60);
        assertNotNull(leader(net), "all three answered: the cluster forms");
        for (long id = 1; id <= 3; id++) {
            assertNull(net.node(id).raft.recovery(), "server " + id + " votes normally");
        }
    }

    @Test
    void aNewClusterFormsEvenWhenOneServerStartsLate() {
        TestNetwork net = cluster();
        net.isolate(3);
        run(net, 5, 3);
        net.heal();
        run(net, 80);
        assertNotNull(leader(net));
        for (long id = 1; id <= 3; id++) {
            assertNull(net.node(id).raft.recovery(), "server " + id + " votes normally");
        }
    }

    /**
     * Probe pacing: while voter 3 is down, servers 1 and 2 (recovering, a new cluster) probe it once per
     * round (the first, another after {@link Recovery#FIRST_ROUND_TIMEOUTS} election timeouts, then every
     * {@link Recovery#ROUND_TIMEOUTS}), not every tick: with thousands of new groups, per-tick probes
     * were a message storm of their own. When 3 starts, the cluster still forms within a round.
     */
    @Test
    void probesToAVoterThatDoesNotAnswerArePacedInRounds() {
        assertEquals(List.of(9, 9), probesToADownVoter(false));
    }

    /** Planted: unpaced probes (every tick until answered) are caught by the same count. */
    @Test
    void probesEveryTickAreCaught() {
        assertNotEquals(List.of(9, 9), probesToADownVoter(true));
    }

    /** Probes that servers 1 and 2 send to voter 3 over 20 election timeouts while 3 is down. */
    private static List<Integer> probesToADownVoter(boolean plantEveryTick) {
        TestNetwork net = cluster();
        if (plantEveryTick) {
            PlantedBugs.probeEveryTick(net.node(1).raft);
            PlantedBugs.probeEveryTick(net.node(2).raft);
        }
        int[] probes = new int[3];
        net.dropIf(m -> {
            if (m.getTo() == 3 && m.hasRecoveryProbe()) {
                probes[(int) m.getFrom()]++;
            }
            return m.getTo() == 3 || m.getFrom() == 3;
        });
        run(net, 20 * 10, 3); // 20 election timeouts of 10 ticks; 3 is down
        assertNull(leader(net, 3), "no new cluster without the third voter");
        net.heal();
        run(net, Recovery.ROUND_TIMEOUTS * 10 + 20); // 3 starts: its probes are answered and 1, 2 probe it
        assertNotNull(leader(net), "the cluster formed within a round of 3 starting");
        return List.of(probes[1], probes[2]);
    }

    /**
     * Server 1 of a new cluster starts first: its first probes meet closed ports and the transport
     * reports 2 and 3 unreachable. 2 and 3 start, hear 1 and elect a leader; 1 probes again one election
     * timeout after the report, not after {@link Recovery#FIRST_ROUND_TIMEOUTS}, so it has recovered
     * before 3's answer could be lost for good: the follower among 2 and 3 stops, and the leader and 1
     * still commit a write (raft-kv KvStorageFaultTest in CI: 1 held the leader's appends until 3
     * returned, and the write never committed).
     */
    @Test
    void aServerWhoseFirstProbesWereDroppedProbesAgainAfterOneElectionTimeout() {
        TestNetwork net = cluster();
        net.isolate(2);
        net.isolate(3);
        run(net, 1, 2, 3); // only 1 runs: its first probes are lost
        net.heal();
        net.node(1).raft.reportUnreachable(2);
        net.node(1).raft.reportUnreachable(3);
        run(net, 10 + 5); // one election timeout of 10 ticks, and a few for the answers
        assertNull(net.node(1).raft.recovery(), "1 heard 2 and 3 within an election timeout of the report");

        TestNode leader = leader(net);
        assertNotNull(leader, "2 and 3 elected a leader");
        long stopped = leader.id == 3 ? 2 : 3;
        net.isolate(stopped);
        long before = net.node(1).raft.log().committed();
        leader.raft.propose(W);
        run(net, 5, stopped);
        assertTrue(net.node(1).raft.log().committed() > before, "the leader and 1 commit without " + stopped);
    }

    /**
     * A recovering follower still waiting for a voter's answer does not quiesce: asleep it would send no
     * more probes and stay unable to vote, so the group could not elect a leader once its leader died
     * (multi-group simulation seed 31). Once answered it recovers and the group quiesces.
     */
    @Test
    void aRecoveringFollowerAwaitingAnAnswerStaysAwake() {
        TestNetwork net = cluster();
        net.dropIf(m -> m.getFrom() == 2 && m.getTo() == 3 && m.hasRecoveryProbeResponse());
        run(net, 80);
        TestNode leader = leader(net);
        assertNotNull(leader, "1 and 2 heard everyone and elected a leader");
        assertTrue(net.node(3).raft.recovery().contains("[2]"), net.node(3).raft.recovery());

        leader.raft.quiesce();
        net.stabilize();
        assertFalse(net.node(3).raft.quiesced(), "3 still needs 2's answer");

        net.heal();
        run(net, Recovery.FIRST_ROUND_TIMEOUTS * 10 + 10);
        assertNull(net.node(3).raft.recovery(), "the next round was answered");
        assertTrue(leader.raft.quiesce(), "caught up and recovered: the group quiesces");
        net.stabilize();
        for (long id = 1; id <= 3; id++) {
            assertTrue(net.node(id).raft.quiesced(), "server " + id + " quiesced");
        }
    }

    /**
     * A follower wiped while the leader stays up: the leader counts entries as acknowledged by it, and
     * sends them again only because the recovering follower's probe says what it holds now. Otherwise it
     * takes every rejection at or below that old match index for a stale message (simulator seed 658).
     */
    @Test
    void aFollowerWipedWhileTheLeaderStaysUpGetsTheLogAgain() {
        TestNetwork net = cluster();
        TestNode leader = leaderThatCommittedW(net);
        long victim = leader.id == 2 ? 3 : 2;
        assertTrue(net.node(victim).holds(W));

        wipe(net, victim, true);
        run(net, 100);
        assertEquals(leader.id, leader(net).id, "the leader stayed up throughout");
        assertTrue(net.node(victim).holds(W), "the leader sent W again");
        assertNull(net.node(victim).raft.recovery(), "and the follower recovered");
    }

    /**
     * A follower wiped while its group is quiesced: the leader sends nothing by itself, so it is the
     * recovering follower's probe that makes the leader send the log again (and wakes it).
     */
    @Test
    void aWipedFollowerWakesItsQuiescedLeaderAndGetsTheLogAgain() {
        TestNetwork net = cluster();
        run(net, 80);
        TestNode leader = leader(net);
        assertNotNull(leader);
        leader.raft.propose(W);
        run(net, 10);
        assertTrue(leader.raft.quiesce(), "idle and caught up");
        net.stabilize();
        long victim = leader.id == 2 ? 3 : 2;

        wipe(net, victim, true);
        run(net, 100);
        assertEquals(leader.id, leader(net).id);
        assertTrue(net.node(victim).holds(W), "the probe made the leader send W again");
        assertNull(net.node(victim).raft.recovery(), "and the follower recovered");
    }

    /**
     * A server that lost its log and snapshot and has no configuration of its own (it joined later, so it
     * was bootstrapped empty) cannot know whose logs to hear: it must not vote before catching up
     * (simulator seed 80: it voted for a candidate lacking a committed entry).
     */
    @Test
    void aRecoveringServerWithoutAConfigurationNeverVotes() {
        TestNode joiner = TestNode.create(4, b -> b.storageRecovery(true));
        PersistentState empty = joiner.storage.initialState();
        joiner.raft = Raft.create(
                joiner.config,
                joiner.storage,
                new PersistentState(empty.hardState(), empty.membership(), true),
                new SplittableRandom(4));
        assertEquals(
                List.of(true, true),
                votesOfAJoinerWithoutConfiguration(joiner).stream()
                        .map(granted -> !granted)
                        .toList());
        assertEquals(0, joiner.raft.status().vote());
    }

    private static List<Boolean> votesOfAJoinerWithoutConfiguration(TestNode joiner) {
        for (int i = 0; i < 100; i++) {
            joiner.raft.tick();
            joiner.processReady();
        }
        joiner.raft.step(RuleFixtures.voteRequest(joiner, 1, 12, 395, 11));
        joiner.raft.step(RuleFixtures.preVoteRequest(joiner, 1, 12, 395, 11));
        return joiner.processReady().stream()
                .filter(RaftMessage::hasVoteResponse)
                .map(m -> m.getVoteResponse().getGranted())
                .toList();
    }

    /**
     * The example: W is acknowledged by 1 and 2 while 3 is down; 1 and 2 stop, 2's disk is
     * wiped; 2 and 3 come back. 2 must not help 3 (which lacks W) become leader.
     */
    @Test
    void aWipedVoterDoesNotHelpAStaleServerLeadAndWSurvives() {
        TestNetwork net = formAndWriteWhileThreeIsDown();
        net.isolate(1); // stopped
        wipe(net, 2, true);
        run(net, 200, 1);
        assertNull(leader(net, 1), "2 and 3 must refuse rather than elect 3 without W");
        assertTrue(
                net.node(2).raft.recovery().startsWith("recovering"),
                net.node(2).raft.recovery());
        assertFalse(net.node(3).raft.role() == Role.LEADER);

        net.heal(); // 1 returns
        run(net, 200);
        TestNode leader = leader(net);
        assertNotNull(leader);
        for (long id = 1; id <= 3; id++) {
            assertTrue(net.node(id).holds(W), "server " + id + " holds W");
            assertNull(net.node(id).raft.recovery(), "server " + id + " recovered");
        }
    }

    /** The same history without the rule loses W: what makes the test above able to fail. */
    @Test
    void withoutRecoveryTheWipedVoterElectsTheStaleServerAndWIsLost() {
        TestNetwork net = formAndWriteWhileThreeIsDown();
        net.isolate(1);
        wipe(net, 2, false);
        run(net, 200, 1);
        assertEquals(Role.LEADER, net.node(3).raft.role(), "3 is elected with the wiped server's vote");
        net.heal();
        run(net, 200);
        // W is gone from the leader and from 2, and a different entry is committed at its index: server 1
        // (which skips appends below its commit index) now silently diverges from the others.
        assertFalse(net.node(3).holds(W), "the new leader never had W");
        assertFalse(net.node(2).holds(W), "nor has the wiped server");
        assertEquals(Role.LEADER, net.node(3).raft.role());
    }

    /**
     * A follower that lost its entries without saying so (recovery off: no probe tells the leader) refuses
     * the leader's probe at an index the leader counts as acknowledged. The leader must not answer each
     * refusal with the same probe at once: that was a message storm between the two (the network here
     * never settled). It retries once per heartbeat instead.
     */
    @Test
    void aFollowerThatLostEntriesUnannouncedDrawsNoStormFromTheLeader() {
        TestNetwork net = cluster();
        TestNode leader = leaderThatCommittedW(net);
        long follower = leader.id == 3 ? 2 : 3;
        leader.raft.reportUnreachable(follower); // the leader probes it (as after any unreachable spell)
        wipe(net, follower, false);
        int before = net.delivered().size();
        leader.raft.propose(ByteString.copyFromUtf8("SET after wipe"));
        run(net, 10); // settles each round: no storm
        long appendsToIt = net.delivered().subList(before, net.delivered().size()).stream()
                .filter(m -> m.getTo() == follower && m.hasAppendRequest())
                .count();
        assertTrue(appendsToIt <= 12, "appends to the wiped follower over 10 ticks: " + appendsToIt);
    }

    private static TestNetwork formAndWriteWhileThreeIsDown() {
        TestNetwork net = cluster();
        run(net, 60);
        TestNode leader = leader(net);
        assertNotNull(leader);
        if (leader.id != 1) {
            leader.raft.transferLeadership(1);
            run(net, 30);
        }
        assertEquals(Role.LEADER, net.node(1).raft.role());
        net.isolate(3);
        net.node(1).raft.propose(W);
        run(net, 5, 3);
        assertTrue(net.node(2).holds(W));
        assertTrue(net.node(1).raft.log().committed() >= net.node(1).raft.log().lastIndex());
        assertFalse(net.node(3).holds(W));
        net.heal();
        return net;
    }

    @Test
    void aRecoveringServerGrantsNoVoteAndNoPreVoteAndNeverCampaigns() {
        TestNode n = node(2, 1, 2, 3);
        n.processReady();
        for (boolean pre : new boolean[] {false, true}) {
            n.raft.step(n.envelopeFrom(3, 5)
                    .setVoteRequest(VoteRequest.newBuilder()
                            .setPreVote(pre)
                            .setLastLogIndex(9)
                            .setLastLogTerm(4))
                    .build());
            List<RaftMessage> out = n.processReady();
            RaftMessage answer = out.stream()
                    .filter(RaftMessage::hasVoteResponse)
                    .findFirst()
                    .orElseThrow();
            assertFalse(answer.getVoteResponse().getGranted(), (pre ? "pre-" : "") + "vote refused");
        }
        for (int i = 0; i < 100; i++) {
            n.raft.tick();
        }
        n.raft.campaign();
        assertEquals(Role.FOLLOWER, n.raft.role());
        assertEquals(0, n.raft.status().vote());
    }

    @Test
    void theRecoveringFlagIsPersistedFirstSoACrashResumesTheRecovery() {
        TestNetwork net = formAndWriteWhileThreeIsDown();
        net.isolate(1);
        TestNode two = wipe(net, 2, true);
        two.processReady();
        assertTrue(two.storage.initialState().hardState().getRecovering(), "written before anything else");
        run(net, 50, 1);
        // 3 shares its log with 2; then 2 crashes and restarts from what it persisted.
        two.restart();
        assertNotNull(two.raft.recovery(), "a half-done recovery resumes");
        net.heal();
        run(net, 200);
        assertNull(two.raft.recovery());
        assertFalse(two.storage.initialState().hardState().getRecovering());
        assertTrue(two.holds(W));
    }

    /**
     * 2 voted for 1 in term T and lost its disk. 3 then campaigns in T: 2 must not vote in T again,
     * even after it recovered, since 1 may have won T with the forgotten vote.
     */
    @Test
    void aRecoveredServerNeverVotesAgainInATermItMayHaveVotedIn() {
        TestNetwork net = cluster();
        run(net, 60);
        TestNode leader = leader(net);
        long t = leader.raft.term();
        TestNode two = wipe(net, 2, true);
        run(net, 100);
        assertNull(two.raft.recovery(), "recovered with a leader");
        assertTrue(two.raft.term() >= t);
        long floor = two.raft.term();
        // A candidate of the term 2 learned asks for its vote: refused.
        long candidate = two.raft.status().vote() == 1 ? 3 : 1; // not the one it may have voted for since
        two.raft.step(two.envelopeFrom(candidate, floor)
                .setVoteRequest(VoteRequest.newBuilder().setLastLogIndex(1000).setLastLogTerm(floor))
                .build());
        RaftMessage answer = two.processReady().stream()
                .filter(RaftMessage::hasVoteResponse)
                .findFirst()
                .orElseThrow();
        assertFalse(answer.getVoteResponse().getGranted(), "no second vote in term " + floor + " " + two.raft.status());
        // The next term is fine.
        two.raft.step(two.envelopeFrom(candidate, floor + 1)
                .setVoteRequest(VoteRequest.newBuilder().setLastLogIndex(1000).setLastLogTerm(floor))
                .build());
        answer = two.processReady().stream()
                .filter(RaftMessage::hasVoteResponse)
                .findFirst()
                .orElseThrow();
        assertTrue(answer.getVoteResponse().getGranted());
    }

    @Test
    void aReportedLossStartsRecoveryEvenWithEntriesLeft() {
        MemoryLogStorage storage = MemoryLogStorage.withVoters(1, 2, 3);
        storage.write(new io.raftmanager.spi.LogBatch(
                io.raftmanager.proto.HardState.newBuilder()
                        .setTerm(3)
                        .setVote(1)
                        .setCommit(2)
                        .build(),
                List.of(RuleFixtures.entry(1, 1), RuleFixtures.entry(2, 3)),
                null,
                true));
        PersistentState intact = storage.initialState();
        Raft normal =
                Raft.create(TestNode.config(2).storageRecovery(true).build(), storage, intact, new SplittableRandom(1));
        assertNull(normal.recovery(), "an intact, non-empty disk is trusted");

        PersistentState lost = new PersistentState(intact.hardState(), intact.membership(), true);
        Raft recovering =
                Raft.create(TestNode.config(2).storageRecovery(true).build(), storage, lost, new SplittableRandom(1));
        assertNotNull(recovering.recovery());
        assertNotEquals(Role.LEADER, recovering.role());
    }

    private static RaftMessage probeAnswer(TestNode n, long from, long term, long lastIndex, long lastTerm) {
        return n.envelopeFrom(from, term)
                .setRecoveryProbeResponse(io.raftmanager.proto.RecoveryProbeResponse.newBuilder()
                        .setSequence(1)
                        .setLastIndex(lastIndex)
                        .setLastTerm(lastTerm)
                        .setCommit(lastIndex))
                .build();
    }

    private static boolean granted(TestNode n, long from, long term, long lastIndex, long lastTerm) {
        n.raft.step(n.envelopeFrom(from, term)
                .setVoteRequest(
                        VoteRequest.newBuilder().setLastLogIndex(lastIndex).setLastLogTerm(lastTerm))
                .build());
        return n.processReady().stream()
                .filter(RaftMessage::hasVoteResponse)
                .findFirst()
                .orElseThrow()
                .getVoteResponse()
                .getGranted();
    }

    /**
     * Before it caught up, a recovering server that knows every other voter's term and log may vote,
     * but only in a later term than any it heard, and only for a candidate at least as up to date as
     * every log it heard of.
     */
    @Test
    void beforeCatchingUpItVotesOnlyAboveTheTermsAndLogsItHeard() {
        TestNode two = node(2, 1, 2, 3);
        two.raft.tick();
        two.processReady();
        assertFalse(granted(two, 3, 9, 5, 7), "nothing heard yet");
        two.raft.step(probeAnswer(two, 1, 7, 5, 7));
        assertFalse(granted(two, 3, 9, 5, 7), "3's term not heard yet");
        two.raft.step(probeAnswer(two, 3, 6, 4, 6));
        assertNotNull(two.raft.recovery(), "not caught up: still recovering");
        assertFalse(granted(two, 3, 7, 5, 7), "term 7 may hold a vote it forgot");
        assertFalse(granted(two, 3, 8, 4, 6), "3 lacks what 1 holds, which may be committed");
        assertTrue(granted(two, 1, 8, 5, 7), "a later term and a log at least as up to date as any heard");
        assertFalse(granted(two, 3, 8, 5, 7), "one vote per term, as usual");
    }

    /** After it caught up it keeps no vote of the term it recovered in: it may have cast one before. */
    @Test
    void afterCatchingUpItTakesTheVoteOfTheCurrentTermAsCast() {
        TestNode two = caughtUpAtTermSeven(false);
        assertNull(two.raft.recovery(), "caught up with the leader of term 7 and heard every term");
        assertFalse(granted(two, 3, 7, 9, 7), "term 7: 3 may have had its forgotten vote, even after a restart");
        assertTrue(granted(two, 3, 8, 9, 7));
        assertFalse(two.storage.initialState().hardState().getRecovering(), "the end is persisted");
    }

    /** Planted bug: without the term floor the recovered server votes a second time in term 7. */
    @Test
    void plantedNoVoteFloorGrantsASecondVoteInTheSameTerm() {
        TestNode two = caughtUpAtTermSeven(true);
        assertTrue(granted(two, 3, 7, 9, 7), "the planted bug grants a vote in a term it may have voted in");
    }

    private static TestNode caughtUpAtTermSeven(boolean plantNoFloor) {
        TestNode two = node(2, 1, 2, 3);
        if (plantNoFloor) {
            PlantedBugs.noVoteFloor(two.raft);
        }
        two.raft.tick();
        two.processReady();
        two.raft.step(probeAnswer(two, 1, 7, 2, 7));
        two.raft.step(probeAnswer(two, 3, 7, 2, 7));
        two.raft.step(two.envelopeFrom(1, 7)
                .setAppendRequest(io.raftmanager.proto.AppendEntriesRequest.newBuilder()
                        .addAllEntries(List.of(RuleFixtures.entry(1, 7), RuleFixtures.entry(2, 7)))
                        .setLeaderCommit(2))
                .build());
        two.processReady();
        two.restart(); // from what it persisted, and no longer following 1
        return two;
    }

    /**
     * 3 joined the new cluster but went down before it received any entry; 1 and 2 then committed W.
     * 2's disk is wiped and 1 is down: 2 and 3 both have empty logs, and must not take that for a new
     * cluster (that needs every voter, and 1 is missing).
     */
    private static TestNetwork wipedServerBesideAnEmptyOne(boolean plantMajority) {
        TestNetwork net = cluster();
        run(net, 3);
        for (long id = 1; id <= 3; id++) {
            assertNull(net.node(id).raft.recovery(), "all three confirmed a new cluster");
        }
        net.isolate(3);
        run(net, 60, 3);
        TestNode leader = leader(net, 3);
        assertNotNull(leader);
        leader.raft.propose(W);
        run(net, 5, 3);
        assertTrue(net.node(1).holds(W) && net.node(2).holds(W));
        assertEquals(0, net.node(3).raft.log().lastIndex());
        net.heal();
        net.isolate(1);
        TestNode two = wipe(net, 2, true);
        if (plantMajority) {
            PlantedBugs.majorityFormsNewCluster(two.raft);
            PlantedBugs.majorityFormsNewCluster(net.node(3).raft);
        }
        run(net, 200, 1);
        return net;
    }

    @Test
    void aWipedServerAndAnEmptyOneAreNotANewCluster() {
        TestNetwork net = wipedServerBesideAnEmptyOne(false);
        assertNull(leader(net, 1), "1 holds W: without it there is no cluster to form");
        net.heal();
        run(net, 200);
        for (long id = 1; id <= 3; id++) {
            assertTrue(net.node(id).holds(W), "server " + id + " holds W");
        }
    }

    /** Planted bug: a majority of empty voters taken for a new cluster elects a leader without W. */
    @Test
    void plantedMajorityForANewClusterLosesW() {
        TestNetwork net = wipedServerBesideAnEmptyOne(true);
        TestNode leader = leader(net, 1);
        assertNotNull(leader, "2 and 3 formed a 'new' cluster");
        assertFalse(leader.holds(W));
    }

    /**
     * Simulator seed 159. 2 joined the new cluster but went down before it received anything, and its
     * disk was replaced (it lost nothing, but cannot tell). 3 leads, commits W with 1, then appends X
     * alone; it crashes and loses its hard state but keeps its log. Now 3 holds the most up-to-date log,
     * but it recovers; 2 recovers too and refuses 1 (1 lacks X, which 3 reports and which might be
     * committed). Waiting for a leader would wait forever: 3 finishes because its log is at least as up
     * to date as every other voter's, and leads.
     */
    @Test
    void aRecoveringServerHoldingTheMostUpToDateLogRecoversWithoutALeader() {
        TestNetwork net = cluster();
        run(net, 3);
        net.isolate(2); // down with an empty log
        run(net, 60, 2);
        TestNode leader = leader(net, 2);
        assertNotNull(leader);
        if (leader.id != 3) {
            leader.raft.transferLeadership(3);
            run(net, 30, 2);
        }
        TestNode three = net.node(3);
        assertEquals(Role.LEADER, three.raft.role());
        three.raft.propose(W);
        run(net, 5, 2);
        assertTrue(net.node(1).holds(W));
        net.isolate(1);
        three.raft.propose(ByteString.copyFromUtf8("SET X y")); // on 3 alone
        three.processReady();
        assertTrue(three.raft.log().lastIndex() > net.node(1).raft.log().lastIndex());

        // 3 restarts with its log but no hard state: storage that detects the loss marks it recovering.
        MemoryLogStorage damaged = MemoryLogStorage.withVoters(1, 2, 3);
        damaged.write(new io.raftmanager.spi.LogBatch(
                io.raftmanager.proto.HardState.newBuilder().setRecovering(true).build(),
                three.storage.entries(three.storage.firstIndex(), three.storage.lastIndex() + 1, Long.MAX_VALUE),
                null,
                true));
        three = three.restartOn(damaged);
        net.replace(three);
        wipe(net, 2, true);
        net.heal();
        assertNotNull(three.raft.recovery());
        assertNotNull(net.node(2).raft.recovery());

        run(net, 300);
        assertNotNull(
                leader(net),
                "nobody was elected: " + three.raft.recovery() + " / "
                        + net.node(2).raft.recovery());
        for (long id = 1; id <= 3; id++) {
            assertTrue(net.node(id).holds(W), "server " + id + " holds W");
            assertNull(net.node(id).raft.recovery(), "server " + id + " recovered");
        }
    }

    /**
     * Without a leader, a recovering server finishes only once it heard every other voter and its log is
     * at least as up to date (last term first, then length) as each log they reported.
     */
    @Test
    void withoutALeaderItRecoversOnlyWithALogAtLeastAsUpToDateAsEveryOtherVoters() {
        // 2 kept entries up to index 2 of term 6; its hard state was lost, and the storage reports it.
        MemoryLogStorage damaged = MemoryLogStorage.withVoters(1, 2, 3);
        damaged.write(new io.raftmanager.spi.LogBatch(
                io.raftmanager.proto.HardState.newBuilder().setRecovering(true).build(),
                List.of(RuleFixtures.entry(1, 6), RuleFixtures.entry(2, 6)),
                null,
                true));
        TestNode two = node(2, 1, 2, 3).restartOn(damaged);
        two.raft.tick();
        two.processReady();
        two.raft.step(probeAnswer(two, 3, 6, 2, 6));
        assertNotNull(two.raft.recovery(), "1 not heard yet");
        two.raft.step(probeAnswer(two, 1, 7, 1, 7));
        assertNotNull(two.raft.recovery(), "1's log ends in a later term, though it is shorter");
        two.raft.step(probeAnswer(two, 1, 7, 2, 6));
        assertNull(two.raft.recovery(), "now its log is at least as up to date as every other voter's");
    }
}
