package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.ackAll;
import static io.raftmanager.core.RuleFixtures.appendAccept;
import static io.raftmanager.core.RuleFixtures.appendRequest;
import static io.raftmanager.core.RuleFixtures.commitNotice;
import static io.raftmanager.core.RuleFixtures.elect;
import static io.raftmanager.core.RuleFixtures.entries;
import static io.raftmanager.core.RuleFixtures.heartbeat;
import static io.raftmanager.core.RuleFixtures.heartbeatResponse;
import static io.raftmanager.core.RuleFixtures.logTerms;
import static io.raftmanager.core.RuleFixtures.ofKind;
import static io.raftmanager.core.RuleFixtures.sentTo;
import static io.raftmanager.core.RuleFixtures.single;
import static io.raftmanager.core.RuleFixtures.withHistory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.log.RaftLog;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.RaftMessage.BodyCase;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Log replication and commitment (Raft §5.3, §5.4), one rule per test. Node 1 leads unless said otherwise. */
class ReplicationRulesTest {

    private static ByteString cmd(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** Node 1 leads a three-node cluster at term 1; both followers acknowledged the no-op at index 1. */
    private static TestNode stableLeader() {
        return ackAll(elect(TestNode.create(1, 1, 2, 3)));
    }

    /** Carries out a Ready's storage write, without telling the core yet. */
    private static void write(TestNode n, Ready rd) {
        n.storage.write(rd.toLogBatch());
    }

    private static long[] repeat(long term, int times) {
        return LongStream.generate(() -> term).limit(times).toArray();
    }

    private static long[] concat(long[] a, long[] b) {
        return LongStream.concat(LongStream.of(a), LongStream.of(b)).toArray();
    }

    @Test
    void leaderBroadcastsHeartbeatEveryHeartbeatInterval() {
        TestNode n = ackAll(elect(TestNode.create(1, b -> b.heartbeatTicks(3), 1, 2, 3)));

        n.raft.tick();
        n.raft.tick();
        assertEquals(List.of(), n.processReady(), "no heartbeat before the interval");
        n.raft.tick();
        Ready rd = n.raft.ready();

        assertEquals(List.of(), rd.messagesAfterPersist());
        assertEquals(2, rd.messages().size());
        for (long peer : new long[] {2, 3}) {
            RaftMessage hb = single(sentTo(rd.messages(), peer));
            assertEquals(BodyCase.HEARTBEAT_REQUEST, hb.getBodyCase());
            assertEquals(1, hb.getTerm());
            assertEquals(1, hb.getHeartbeatRequest().getCommit());
        }
    }

    @Test
    void newLeaderAppendsNoOpOfItsTermAndSendsIt() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 1, 0, 1, 1);
        n.raft.campaign();
        n.processReady();

        n.raft.step(RuleFixtures.voteResponse(n, 2, 2, false, true));
        Ready rd = n.raft.ready();

        assertEquals(1, rd.entriesToPersist().size());
        Entry noOp = rd.entriesToPersist().get(0);
        assertEquals(EntryType.ENTRY_TYPE_NO_OP, noOp.getType());
        assertEquals(2, noOp.getIndex());
        assertEquals(2, noOp.getTerm());
        for (long peer : new long[] {2, 3}) {
            AppendEntriesRequest a = single(sentTo(rd.messages(), peer)).getAppendRequest();
            assertEquals(1, a.getPrevLogIndex());
            assertEquals(1, a.getPrevLogTerm());
            assertEquals(List.of(noOp), a.getEntriesList());
        }
    }

    @Test
    void leaderCommitsEntryOnceStoredOnMajority() {
        TestNode n = stableLeader();
        EntryId x = n.raft.propose(cmd("x"));
        n.processReady();
        assertEquals(1, n.raft.log().committed(), "the leader's own copy alone is not a majority");

        n.raft.step(appendAccept(n, 2, 1, x.index()));
        List<RaftMessage> out = n.processReady();

        assertEquals(x.index(), n.raft.log().committed());
        assertEquals(cmd("x"), n.applied.get(n.applied.size() - 1).getData());
        // 2 holds the whole log: a heartbeat without a read round tells it the commit index, and it does
        // not answer. 3's copy of x is on its way: its answer brings the commit index back to it.
        RaftMessage toTwo = single(sentTo(out, 2));
        assertEquals(x.index(), toTwo.getHeartbeatRequest().getCommit(), "2 learns the new commit");
        assertTrue(toTwo.getHeartbeatRequest().getContext().isEmpty(), "no read round to answer");
        assertEquals(List.of(), sentTo(out, 3));
        n.raft.step(appendAccept(n, 3, 1, x.index()));
        RaftMessage toThree = single(sentTo(n.processReady(), 3));
        assertEquals(x.index(), toThree.getHeartbeatRequest().getCommit(), "3 learns it once it acks");
    }

    @Test
    void leaderCommitsOnlyCurrentTermEntriesByCountingReplicas() {
        // Node 1 holds an entry of term 2 that never committed, and wins term 3 (Raft §5.4.2, Figure 8).
        TestNode n = elect(withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 1, 1, 2));
        assertEquals(List.of(1L, 2L, 3L), logTerms(n));

        n.raft.step(appendAccept(n, 2, 3, 2));
        assertEquals(1, n.raft.log().committed(), "a majority holds index 2, but its term is not 3");

        n.raft.step(appendAccept(n, 2, 3, 3));
        assertEquals(3, n.raft.log().committed(), "the no-op commits, and index 2 with it");
    }

    @Test
    void leaderCountsItsOwnEntryOnlyAfterPersistingIt() {
        TestNode n = stableLeader();
        EntryId x = n.raft.propose(cmd("x"));
        Ready rd = n.raft.ready();

        n.raft.step(appendAccept(n, 2, 1, x.index()));
        assertEquals(1, n.raft.log().committed(), "one follower plus a leader copy not yet durable");
        write(n, rd);
        n.raft.persisted(rd.number());

        assertEquals(x.index(), n.raft.log().committed());
    }

    @Test
    void followerAppendsEntriesWhenPrevEntryMatches() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 1, 0, 0, 1, 1);

        n.raft.step(appendRequest(n, 2, 2, 2, 1, 0, entries(3, 2, 2)));

        assertEquals(List.of(1L, 1L, 2L, 2L), logTerms(n));
        assertEquals(2, n.raft.leaderId());
        AppendEntriesResponse r = single(n.processReady()).getAppendResponse();
        assertTrue(r.getSuccess());
        assertEquals(4, r.getMatchIndex());
    }

    /** Follower log terms (one digit per entry) and the rejected prev entry; the hint names the last entry that may match. */
    @ParameterizedTest(name = "follower {0}, prev {1}@{2} -> hint {3}@{4}")
    @CsvSource({
        "1111, 6, 3, 4, 1", // prev beyond the follower's log: hint at its last entry
        "1111, 3, 2, 3, 1", // prev term differs; the entry there has a lower term, so it may match
        "1222, 4, 1, 1, 1", // follower's tail has a higher term than prev: skip the whole tail
    })
    void followerRejectsAppendWhenPrevEntryDoesNotMatch(
            String followerTerms, long prevIndex, long prevTerm, long hintIndex, long hintTerm) {
        long[] terms = followerTerms.chars().mapToLong(c -> c - '0').toArray();
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 0, terms);

        n.raft.step(appendRequest(n, 2, 3, prevIndex, prevTerm, 0, entries(prevIndex + 1, 3)));

        AppendEntriesResponse r = single(n.processReady()).getAppendResponse();
        assertFalse(r.getSuccess());
        assertEquals(prevIndex, r.getRejectedIndex());
        assertEquals(hintIndex, r.getRejectHintIndex());
        assertEquals(hintTerm, r.getRejectHintTerm());
        assertEquals(terms.length, n.raft.log().lastIndex(), "a rejected append changes nothing");
    }

    @Test
    void followerTruncatesConflictingSuffixBeforeAppending() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 0, 1, 1, 2, 2);

        n.raft.step(appendRequest(n, 2, 3, 2, 1, 0, entries(3, 3)));
        Ready rd = n.raft.ready();

        assertEquals(List.of(1L, 1L, 3L), logTerms(n));
        assertEquals(3, rd.entriesToPersist().get(0).getIndex(), "the runtime truncates storage from here");
        write(n, rd);
        n.raft.advance(rd);
        assertEquals(3, n.storage.lastIndex());
        assertEquals(3, n.storage.term(3));
    }

    @Test
    void followerKeepsMatchingEntriesOnStaleAppend() {
        // A delayed append that repeats what the log holds must not cut off the entries after it.
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 2, 0, 0, 1, 1, 2, 2);

        n.raft.step(appendRequest(n, 2, 2, 1, 1, 0, entries(2, 1)));

        assertEquals(List.of(1L, 1L, 2L, 2L), logTerms(n));
        assertEquals(2, single(n.processReady()).getAppendResponse().getMatchIndex());
    }

    @ParameterizedTest(name = "leader commit {0} -> follower commit {1}")
    @CsvSource({"1, 1", "2, 2", "3, 2"})
    void followerCommitsUpToLeaderCommitButNotBeyondLastNewEntry(long leaderCommit, long expected) {
        // Index 3 is in the follower's log but the leader has not vouched for it in this message.
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 1, 0, 0, 1, 1, 1);

        n.raft.step(appendRequest(n, 2, 1, 1, 1, leaderCommit, entries(2, 1)));

        assertEquals(expected, n.raft.log().committed());
    }

    @Test
    void leaderHeartbeatCarriesCommitBoundedByFollowerMatch() {
        TestNode n = elect(TestNode.create(1, 1, 2, 3));
        n.raft.step(appendAccept(n, 2, 1, 1));
        EntryId x = n.raft.propose(cmd("x"));
        n.processReady();
        n.raft.step(appendAccept(n, 2, 1, x.index()));
        n.processReady();

        n.raft.tick();
        List<RaftMessage> beats = ofKind(n.processReady(), BodyCase.HEARTBEAT_REQUEST);

        assertEquals(2, single(sentTo(beats, 2)).getHeartbeatRequest().getCommit());
        assertEquals(0, single(sentTo(beats, 3)).getHeartbeatRequest().getCommit(), "3 has acknowledged nothing");
    }

    @Test
    void followerIgnoresHeartbeatCommitBeyondItsLog() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 1, 0, 0, 1);

        n.raft.step(heartbeat(n, 2, 1, 5));

        assertEquals(0, n.raft.log().committed());
        assertEquals(BodyCase.HEARTBEAT_RESPONSE, single(n.processReady()).getBodyCase());
        n.raft.step(heartbeat(n, 2, 1, 1));
        assertEquals(1, n.raft.log().committed());
    }

    /**
     * Elects node 1 over a network where node 2 holds a long conflicting tail, and returns how many
     * appends node 2 rejected before its log matched.
     */
    private static long rejectionsWhileRepairing(long[] leaderTerms, long[] followerTerms) {
        TestNode leader = withHistory(TestNode.create(1, 1, 2, 3), 4, 0, 2, leaderTerms);
        TestNode follower = withHistory(TestNode.create(2, 1, 2, 3), 4, 0, 2, followerTerms);
        TestNode other = withHistory(TestNode.create(3, 1, 2, 3), 4, 0, 2, leaderTerms);
        TestNetwork net = new TestNetwork(leader, follower, other);

        leader.raft.campaign();
        net.stabilize();

        assertEquals(logTerms(leader), logTerms(follower));
        return net.delivered().stream()
                .filter(m -> m.getFrom() == 2 && m.hasAppendResponse())
                .filter(m -> !m.getAppendResponse().getSuccess())
                .count();
    }

    @Test
    void leaderSkipsFollowerTailOfOlderTermInOneRoundTrip() {
        // Leader: [1 1 3x8]; follower: [1 1 2x18]. Walking back one entry at a time would take 8 rejections.
        long rejections = rejectionsWhileRepairing(
                concat(new long[] {1, 1}, repeat(3, 8)), concat(new long[] {1, 1}, repeat(2, 18)));

        assertEquals(1, rejections);
    }

    @Test
    void leaderSkipsFollowerTailOfNewerTermInOneRoundTrip() {
        // Leader: [1 1 2x18]; follower: [1 1 3x10] (an uncommitted term-3 tail). Node 3 elects the leader.
        long rejections = rejectionsWhileRepairing(
                concat(new long[] {1, 1}, repeat(2, 18)), concat(new long[] {1, 1}, repeat(3, 10)));

        assertEquals(1, rejections);
    }

    @Test
    void appendResponseIsSentOnlyAfterPersistingTheEntries() {
        TestNode n = TestNode.create(1, 1, 2, 3);

        n.raft.step(appendRequest(n, 2, 1, 0, 0, 0, entries(1, 1, 1)));
        Ready rd = n.raft.ready();

        assertEquals(List.of(), rd.messages());
        assertEquals(entries(1, 1, 1), rd.entriesToPersist());
        assertTrue(rd.mustSync());
        assertEquals(2, single(rd.messagesAfterPersist()).getAppendResponse().getMatchIndex());
    }

    /** A leader whose follower 2 is replicating with a window of two messages, both in flight; "c" waits. */
    private static TestNode leaderWithFullWindow() {
        TestNode n = ackAll(elect(TestNode.create(1, b -> b.maxInflightMessages(2), 1, 2, 3)));
        n.raft.propose(cmd("a"));
        assertEquals(1, sentTo(n.processReady(), 2).size());
        n.raft.propose(cmd("b"));
        assertEquals(1, sentTo(n.processReady(), 2).size());
        n.raft.propose(cmd("c"));
        assertEquals(List.of(), sentTo(n.processReady(), 2), "window full: c is held back");
        return n;
    }

    @Test
    void leaderPipelinesAppendsWithinInflightWindow() {
        TestNode n = leaderWithFullWindow();

        n.raft.step(appendAccept(n, 2, 1, 2));

        AppendEntriesRequest a = single(sentTo(n.processReady(), 2)).getAppendRequest();
        assertEquals(3, a.getPrevLogIndex(), "sent after b, without waiting for b's ack");
        assertEquals(
                List.of(cmd("c")),
                a.getEntriesList().stream().map(Entry::getData).toList());
    }

    @Test
    void heartbeatResponseFreesOneSlotOfFullWindow() {
        TestNode n = leaderWithFullWindow();

        n.raft.step(heartbeatResponse(n, 2, 1));

        AppendEntriesRequest a = single(sentTo(n.processReady(), 2)).getAppendRequest();
        assertEquals(
                List.of(cmd("c")),
                a.getEntriesList().stream().map(Entry::getData).toList());
    }

    /**
     * Heartbeats also confirm reads, so a follower answers many per interval; each answer that released a
     * full message flooded a follower catching up (the leader of a Jepsen run died of OutOfMemoryError
     * holding 150 copies of its log for one wiped follower). One retry per heartbeat interval.
     */
    @Test
    void manyHeartbeatResponsesInOneIntervalFreeOneSlotOfAFullWindow() {
        TestNode n = leaderWithFullWindow();

        for (int i = 0; i < 10; i++) {
            n.raft.step(heartbeatResponse(n, 2, 1));
        }
        assertEquals(
                1, ofKind(sentTo(n.processReady(), 2), BodyCase.APPEND_REQUEST).size());

        for (int i = 0; i < n.config.heartbeatTicks(); i++) {
            n.raft.tick();
        }
        n.processReady();
        n.raft.step(heartbeatResponse(n, 2, 1));
        n.raft.step(heartbeatResponse(n, 2, 1));
        assertEquals(
                1,
                ofKind(sentTo(n.processReady(), 2), BodyCase.APPEND_REQUEST).size(),
                "the next interval retries once more");
    }

    @Test
    void manyHeartbeatResponsesInOneIntervalResendAHeldProbeOnce() {
        TestNode n = elect(TestNode.create(1, 1, 2, 3)); // 2 and 3 are probed; no answer yet
        n.raft.propose(cmd("a"));
        n.processReady();

        for (int i = 0; i < 10; i++) {
            n.raft.step(heartbeatResponse(n, 2, 1));
        }
        List<RaftMessage> appends = ofKind(sentTo(n.processReady(), 2), BodyCase.APPEND_REQUEST);
        assertEquals(1, appends.size(), "one probe again, not ten");
        assertEquals(0, appends.get(0).getAppendRequest().getPrevLogIndex());
    }

    @Test
    void truncatingCommittedEntryIsAnInvariantViolation() {
        MemoryLogStorage storage = MemoryLogStorage.withVoters(1);
        storage.write(new LogBatch(null, entries(1, 1, 1, 1), true));
        RaftLog log = new RaftLog(storage, 2);

        assertThrows(IllegalStateException.class, () -> log.append(entries(2, 2)));
        assertThrows(IllegalStateException.class, () -> log.append(entries(1, 2, 2, 2)));
        assertEquals(3, log.append(entries(3, 2)), "replacing an uncommitted entry is allowed");
    }

    /**
     * Two quick leader changes put the same (term, index) entries back while the truncation between them
     * is still on its way to the disk: the first write's completion must not vouch for them, since the
     * truncation completes after it and removes them until the third write lands (issue 16).
     */
    @Test
    void aWriteVouchesOnlyForEntriesNotReplacedSinceItWasHandedOut() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.step(appendRequest(n, 2, 1, 0, 0, 0, entries(1, 1, 1, 1)));
        Ready first = n.raft.ready(); // (1,1)..(1,3)
        n.raft.step(appendRequest(n, 3, 2, 0, 0, 0, entries(1, 2)));
        Ready truncation = n.raft.ready(); // (2,1) replaces them
        n.raft.step(appendRequest(n, 2, 3, 0, 0, 0, entries(1, 1, 1, 1)));
        Ready again = n.raft.ready(); // (1,1)..(1,3) once more
        assertEquals(List.of(1L, 1L, 1L), logTerms(n));

        write(n, first);
        n.raft.persisted(first.number());
        write(n, truncation);
        n.raft.persisted(truncation.number());
        assertEquals(2, n.storage.term(1), "the disk holds the second leader's entry");
        assertEquals(0, n.raft.log().lastStableIndex(), "so none of the entries held now is known durable");

        write(n, again);
        n.raft.persisted(again.number());
        assertEquals(3, n.raft.log().lastStableIndex());
    }

    @Test
    void followerAppliesEntriesOnlyWhenCommittedAndDurable() {
        TestNode n = TestNode.create(1, 1, 2, 3);
        n.raft.step(appendRequest(n, 2, 1, 0, 0, 2, entries(1, 1, 1)));

        Ready first = n.raft.ready();
        assertEquals(2, first.hardState().getCommit());
        assertEquals(List.of(), first.entriesToApply(), "committed, but not yet durable here");
        write(n, first);
        n.raft.persisted(first.number());
        Ready second = n.raft.ready();

        assertEquals(entries(1, 1, 1), second.entriesToApply());
    }

    @Test
    void leaderAppliesEntryCommittedByFollowersOnlyAfterItsOwnCopyIsDurable() {
        TestNode n = ackAll(elect(TestNode.create(1, 1, 2, 3, 4, 5)));
        EntryId x = n.raft.propose(cmd("x"));
        Ready append = n.raft.ready();

        for (long peer = 2; peer <= 4; peer++) {
            n.raft.step(appendAccept(n, peer, 1, x.index()));
        }
        assertEquals(x.index(), n.raft.log().committed(), "three followers are a majority of five");
        Ready commit = n.raft.ready();
        assertEquals(List.of(), commit.entriesToApply());
        write(n, append);
        write(n, commit);
        n.raft.persisted(commit.number());
        Ready apply = n.raft.ready();

        assertEquals(append.entriesToPersist(), apply.entriesToApply());
    }

    @Test
    void followerAcknowledgesCommittedPrefixWithoutRecheckingIt() {
        TestNode n = withHistory(TestNode.create(1, 1, 2, 3), 1, 0, 3, 1, 1, 1);

        n.raft.step(appendRequest(n, 2, 1, 1, 1, 3, entries(2, 1)));

        AppendEntriesResponse r = single(n.processReady()).getAppendResponse();
        assertTrue(r.getSuccess());
        assertEquals(3, r.getMatchIndex());
    }

    @Test
    void committedCommandReachesEveryStateMachineInLogOrder() {
        TestNetwork net =
                new TestNetwork(TestNode.create(1, 1, 2, 3), TestNode.create(2, 1, 2, 3), TestNode.create(3, 1, 2, 3));
        net.node(1).raft.campaign();
        net.stabilize();

        net.node(1).raft.propose(cmd("x"));
        net.node(1).raft.propose(cmd("y"));
        net.stabilize();
        net.node(1).raft.tick(); // the heartbeat tells followers the final commit index
        net.stabilize();

        for (long id = 1; id <= 3; id++) {
            List<ByteString> applied = net.node(id).applied.stream()
                    .filter(e -> e.getType() == EntryType.ENTRY_TYPE_NORMAL)
                    .map(Entry::getData)
                    .toList();
            assertEquals(List.of(cmd("x"), cmd("y")), applied, "node " + id);
        }
    }

    @Test
    void followerPausedWhenEntryCommittedIsToldCommitIndexOnceItAcks() {
        TestNode n = elect(TestNode.create(1, 1, 2, 3));
        n.raft.step(appendAccept(n, 3, 1, 1));
        n.processReady();
        assertEquals(1, n.raft.log().committed(), "committed while 2's probe was still outstanding");

        n.raft.step(appendAccept(n, 2, 1, 1));

        RaftMessage toTwo = single(sentTo(n.processReady(), 2));
        assertEquals(1, toTwo.getHeartbeatRequest().getCommit());
    }

    @Test
    void aCommitNoticeAdvancesTheFollowersCommitAndIsNotAnswered() {
        TestNode n = TestNode.create(2, 1, 2, 3);
        n.raft.step(appendRequest(n, 1, 1, 0, 0, 0, entries(1, 1)));
        n.processReady();
        n.raft.step(commitNotice(n, 1, 1, 1));
        List<RaftMessage> out = n.processReady();
        assertEquals(1, n.raft.log().committed());
        assertEquals(List.of(), out, "a heartbeat without a read round is not answered");
        n.raft.step(heartbeat(n, 1, 1, 1));
        assertEquals(BodyCase.HEARTBEAT_RESPONSE, single(n.processReady()).getBodyCase(), "a read round is answered");
    }

    @Test
    void aCommitNoticeCommitsOnlyWhatAppendsFromThatLeaderShowedMatching() {
        // A follower restarted with a log of term 1: the leader of term 2 may still count it as holding
        // index 3 (its match from before the restart), but nothing since the restart showed this log
        // matches the leader's there.
        TestNode n = withHistory(TestNode.create(2, 1, 2, 3), 2, 1, 0, 1, 1, 1);
        n.raft.step(commitNotice(n, 1, 2, 3));
        n.processReady();
        assertEquals(0, n.raft.log().committed(), "no append from leader 1 yet: nothing trusted");
        n.raft.step(appendRequest(n, 1, 2, 1, 1, 0, List.of()));
        n.processReady();
        n.raft.step(commitNotice(n, 1, 2, 3));
        n.processReady();
        assertEquals(1, n.raft.log().committed(), "trusted up to the append's match, not the notice's 3");
    }
}
