package io.raftmanager.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Quorum arithmetic against brute force: every majority subset, every candidate index. */
class QuorumPropertyTest {
    /** Voter ids: include uint64 ids that are negative as Java longs. */
    private static final long[] POOL = {1, 2, 3, 4, 5, 6, 7, -3, Long.MAX_VALUE};

    private static Set<Long> members(int mask) {
        Set<Long> s = new TreeSet<>();
        for (int i = 0; i < POOL.length; i++) {
            if ((mask & (1 << i)) != 0) {
                s.add(POOL[i]);
            }
        }
        return s;
    }

    /** Reference: the largest min(acked) over every subset that is a strict majority. */
    static long bruteCommitted(Set<Long> voters, Map<Long, Long> acked) {
        if (voters.isEmpty()) {
            return Long.MAX_VALUE;
        }
        List<Long> v = List.copyOf(voters);
        long best = Long.MIN_VALUE;
        for (int subset = 1; subset < (1 << v.size()); subset++) {
            if (2 * Integer.bitCount(subset) <= v.size()) {
                continue;
            }
            long min = Long.MAX_VALUE;
            for (int i = 0; i < v.size(); i++) {
                if ((subset & (1 << i)) != 0) {
                    min = Math.min(min, acked.getOrDefault(v.get(i), 0L));
                }
            }
            best = Math.max(best, min);
        }
        return best;
    }

    private static boolean majorityAcked(Set<Long> voters, Map<Long, Long> acked, long index) {
        long n = voters.stream().filter(v -> acked.getOrDefault(v, 0L) >= index).count();
        return voters.isEmpty() || 2 * n > voters.size();
    }

    /** Reference: the largest candidate index that a majority of both halves has acknowledged. */
    static long bruteJointCommitted(Set<Long> in, Set<Long> out, Map<Long, Long> acked) {
        TreeSet<Long> candidates = new TreeSet<>(acked.values());
        candidates.add(0L);
        candidates.add(Long.MAX_VALUE);
        for (long c : candidates.descendingSet()) {
            if (majorityAcked(in, acked, c) && majorityAcked(out, acked, c)) {
                return c;
            }
        }
        throw new AssertionError("0 is always acknowledged");
    }

    private static boolean wins(Set<Long> voters, Map<Long, Boolean> votes, boolean missingGrant) {
        long granted =
                voters.stream().filter(v -> votes.getOrDefault(v, missingGrant)).count();
        return voters.isEmpty() || 2 * granted > voters.size();
    }

    /** Reference: WON if already won; LOST if even every missing voter granting cannot win; else PENDING. */
    static VoteResult bruteVote(Set<Long> in, Set<Long> out, Map<Long, Boolean> votes) {
        if (wins(in, votes, false) && wins(out, votes, false)) {
            return VoteResult.WON;
        }
        if (!(wins(in, votes, true) && wins(out, votes, true))) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    private record Case(int inMask, int outMask, List<Long> acked, List<Integer> votes) {
        Map<Long, Long> ackedMap() {
            Map<Long, Long> m = new HashMap<>();
            for (int i = 0; i < POOL.length; i++) {
                m.put(POOL[i], acked.get(i));
            }
            m.put(99L, 1_000L); // a non-voter's ack never counts
            return m;
        }

        Map<Long, Boolean> votesMap() {
            Map<Long, Boolean> m = new HashMap<>();
            for (int i = 0; i < POOL.length; i++) {
                if (votes.get(i) != 0) {
                    m.put(POOL[i], votes.get(i) == 1);
                }
            }
            m.put(99L, true); // a non-voter's vote never counts
            return m;
        }
    }

    @Test
    void majorityAndJointQuorumsMatchBruteForce() {
        int all = (1 << POOL.length) - 1;
        qt().withExamples(10_000)
                .forAll(
                        integers().between(0, all),
                        integers().between(-all / 2, all), // negative: not joint (about a third)
                        lists().of(longs().between(0, 12).mix(longs().between(0, Long.MAX_VALUE), 10))
                                .ofSize(POOL.length),
                        lists().of(integers().between(0, 2)).ofSize(POOL.length))
                .as((in, out, acked, votes) -> new Case(in, Math.max(0, out), acked, votes))
                .checkAssert(QuorumPropertyTest::check);
    }

    private static void check(Case c) {
        Set<Long> in = members(c.inMask());
        Set<Long> out = members(c.outMask());
        Map<Long, Long> acked = c.ackedMap();
        Map<Long, Boolean> votes = c.votesMap();
        AckedIndexer indexer = id -> acked.getOrDefault(id, 0L);
        MajorityConfig incoming = new MajorityConfig(in);
        MajorityConfig outgoing = new MajorityConfig(out);
        JointConfig joint = new JointConfig(incoming, outgoing);

        assertEquals(bruteCommitted(in, acked), incoming.committedIndex(indexer), "majority commit " + in);
        assertEquals(bruteCommitted(out, acked), outgoing.committedIndex(indexer), "majority commit " + out);
        assertEquals(bruteJointCommitted(in, out, acked), joint.committedIndex(indexer), "joint commit");
        assertEquals(bruteVote(in, Set.of(), votes), incoming.voteResult(votes), "majority vote " + in);
        assertEquals(bruteVote(out, Set.of(), votes), outgoing.voteResult(votes), "majority vote " + out);
        assertEquals(bruteVote(in, out, votes), joint.voteResult(votes), "joint vote " + in + " / " + out);
        assertEquals(!out.isEmpty(), joint.isJoint());
        Set<Long> ids = new TreeSet<>(in);
        ids.addAll(out);
        assertEquals(ids, joint.ids());
        for (long id : POOL) {
            assertEquals(ids.contains(id), joint.contains(id));
        }
    }

    @Test
    void emptyMajorityCommitsEverythingAndWinsEveryVote() {
        MajorityConfig empty = new MajorityConfig(Set.of());
        assertEquals(Long.MAX_VALUE, empty.committedIndex(id -> 0));
        assertEquals(VoteResult.WON, empty.voteResult(Map.of()));
        assertEquals(VoteResult.WON, empty.voteResult(Map.of(1L, false)));
        JointConfig bothEmpty = new JointConfig(empty, empty);
        assertEquals(Long.MAX_VALUE, bothEmpty.committedIndex(id -> 0));
        assertEquals(VoteResult.WON, bothEmpty.voteResult(Map.of()));
    }

    @Test
    void simpleConfigIsDecidedByItsOwnVotersOnly() {
        JointConfig c = JointConfig.simple(Set.of(1L, 2L, 3L));
        assertEquals(false, c.isJoint());
        assertEquals(5, c.committedIndex(id -> id == 1 ? 9 : id == 2 ? 5 : 1));
        assertEquals(VoteResult.PENDING, c.voteResult(Map.of(1L, true)));
        assertEquals(VoteResult.WON, c.voteResult(Map.of(1L, true, 3L, true)));
        assertEquals(VoteResult.LOST, c.voteResult(Map.of(1L, false, 3L, false)));
    }

    @Test
    void jointVoteIsLostIfEitherHalfIsLost() {
        JointConfig c = new JointConfig(new MajorityConfig(Set.of(1L, 2L, 3L)), new MajorityConfig(Set.of(4L, 5L)));
        assertEquals(VoteResult.LOST, c.voteResult(Map.of(1L, true, 2L, true, 4L, false)));
        assertEquals(VoteResult.PENDING, c.voteResult(Map.of(1L, true, 2L, true, 4L, true)));
        assertEquals(VoteResult.WON, c.voteResult(Map.of(1L, true, 2L, true, 4L, true, 5L, true)));
    }
}
