package io.raftmanager.sim;

import io.raftmanager.Role;
import io.raftmanager.core.Raft;
import io.raftmanager.core.confchange.Changer;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.core.log.RaftLog;
import io.raftmanager.core.quorum.JointConfig;
import io.raftmanager.core.quorum.MajorityConfig;
import io.raftmanager.core.quorum.VoteResult;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safety properties of Raft (paper Figure 3), checked against global knowledge that no single
 * server has:
 *
 * <ul>
 *   <li>Election Safety: at most one leader per term.
 *   <li>Log Matching: every entry id (term, index) ever written anywhere has one content and one
 *       predecessor term; by induction two logs sharing an entry id share the whole prefix.
 *   <li>Leader Completeness: a leader of term T holds every entry known committed before T.
 *   <li>State Machine Safety: no two servers apply different entries at one index.
 *   <li>No committed entry is lost: every server's committed prefix agrees with the global one, across
 *       every configuration change.
 *   <li>Commitment needs a quorum: a leader's new commit index is durable on a majority of each half of
 *       its (possibly joint) configuration.
 * </ul>
 *
 * Violations throw {@link AssertionError}.
 */
final class Invariants {
    /** What an entry id stands for, the first time it is seen. */
    private record EntryFacts(long prevTerm, Entry entry) {}

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<EntryId, EntryFacts> entries = new HashMap<>();
    /** committed.get(i - 1): the entry id committed at index i; commitTerm: the term it was first seen committed in. */
    private final List<EntryId> committed = new ArrayList<>();

    private final List<Long> commitTerm = new ArrayList<>();
    private final List<EntryId> applied = new ArrayList<>();
    private final Map<Long, long[]> leaderCursor = new HashMap<>();

    /** Every entry a server is about to persist. */
    void onPersist(Raft raft, List<Entry> toPersist) {
        long prevTerm = -1;
        for (Entry e : toPersist) {
            long pt = prevTerm >= 0
                    ? prevTerm
                    : (e.getIndex() == 1 ? 0 : raft.log().term(e.getIndex() - 1));
            EntryFacts facts = new EntryFacts(pt, e);
            EntryFacts known = entries.putIfAbsent(EntryId.of(e), facts);
            if (known != null && (known.prevTerm() != pt || !known.entry().equals(e))) {
                throw new AssertionError("log matching violated at " + EntryId.of(e) + " on server " + raft.id()
                        + ": seen before with prev term " + known.prevTerm() + ", now " + pt);
            }
            prevTerm = e.getTerm();
        }
    }

    void onApply(SimNode node, Entry e) {
        if (e.getIndex() != node.appliedIndex + 1) {
            throw new AssertionError("server " + node.id + " applied " + e.getIndex() + " after " + node.appliedIndex);
        }
        if (e.getIndex() > node.raft.log().committed()) {
            throw new AssertionError("server " + node.id + " applied uncommitted " + EntryId.of(e));
        }
        set(applied, e.getIndex(), EntryId.of(e), "state machine safety violated: server " + node.id + " applied");
        node.appliedIndex = e.getIndex();
    }

    /** Checks every server after a simulation step. */
    void afterStep(List<SimNode> nodes) {
        for (SimNode n : nodes) {
            if (!n.isUp()) {
                continue;
            }
            Raft r = n.raft;
            if (r.role() == Role.LEADER) {
                Long prior = leaderOfTerm.putIfAbsent(r.term(), r.id());
                if (prior != null && prior != r.id()) {
                    throw new AssertionError("election safety violated: servers " + prior + " and " + r.id()
                            + " both led term " + r.term());
                }
            }
            RaftLog log = r.log();
            long commit = log.committed();
            for (long i = n.checkedCommit + 1; i <= commit; i++) {
                if (i < log.firstIndex() - 1) {
                    // Covered by a snapshot this server installed: the leader it came from checked it.
                    if (i > committed.size()) {
                        throw new AssertionError("server " + n.id + " holds a snapshot past unknown commit " + i);
                    }
                    continue;
                }
                EntryId id = new EntryId(log.term(i), i);
                if (set(committed, i, id, "committed entry lost or changed: server " + n.id + " committed")) {
                    commitTerm.add(r.term());
                }
            }
            n.checkedCommit = Math.max(n.checkedCommit, commit);
            if (r.role() == Role.LEADER) {
                checkLeaderCompleteness(r);
            }
        }
    }

    /**
     * Commitment needs a quorum of the configuration (a majority of both halves when joint): whenever a
     * leader's commit index advances, the entry there must be durable, with the leader's term for it, on
     * enough voters of the configuration it had before or after the step.
     */
    void checkCommitQuorums(List<SimNode> nodes, Map<Long, Before> before) {
        for (SimNode n : nodes) {
            Before b = before.get(n.id);
            if (!n.isUp() || n.raft.role() != Role.LEADER || b == null) {
                continue;
            }
            long commit = n.raft.log().committed();
            if (commit <= b.commit()) {
                continue;
            }
            long term = n.raft.log().term(commit);
            Map<Long, Boolean> holds = new HashMap<>();
            for (SimNode o : nodes) {
                // A server whose disk failed since it acknowledged counts with what it held then: a lost
                // minority is the fault the cluster must survive, not a commit without a quorum.
                // One that retried a failed fsync holds only what was durable before it.
                boolean has = (holds(o.durable, commit, term) && commit < o.notDurableFrom)
                        || (o.lostDisk != null && holds(o.lostDisk, commit, term));
                holds.put(o.id, has);
            }
            if (!quorumHolds(b.membership(), holds) && !quorumHolds(n.raft.membership(), holds)) {
                throw new AssertionError("leader " + n.id + " of term " + n.raft.term() + " committed " + commit
                        + " without a quorum of " + Changer.describe(n.raft.membership()) + " holding it: " + holds);
            }
        }
    }

    private static boolean holds(io.raftmanager.storage.memory.MemoryLogStorage disk, long index, long term) {
        return disk.lastIndex() >= index
                && (disk.firstIndex() <= index
                        ? disk.term(index) == term
                        : disk.snapshot().getIndex() >= index);
    }

    /** A server's configuration and commit index at the start of a step. */
    record Before(Membership membership, long commit) {}

    private static boolean quorumHolds(Membership m, Map<Long, Boolean> holds) {
        JointConfig c = new JointConfig(
                new MajorityConfig(new HashSet<>(m.getVotersList())),
                new MajorityConfig(new HashSet<>(m.getVotersOutgoingList())));
        Map<Long, Boolean> votes = new HashMap<>();
        for (long v : c.ids()) {
            votes.put(v, holds.getOrDefault(v, false));
        }
        return c.voteResult(votes) == VoteResult.WON;
    }

    private void checkLeaderCompleteness(Raft leader) {
        long[] cursor = leaderCursor.get(leader.id());
        if (cursor == null || cursor[0] != leader.term()) {
            cursor = new long[] {leader.term(), 0};
            leaderCursor.put(leader.id(), cursor);
        }
        for (long i = cursor[1] + 1; i <= committed.size(); i++) {
            if (commitTerm.get((int) i - 1) < leader.term() && i >= leader.log().firstIndex()) {
                EntryId want = committed.get((int) i - 1);
                long have = leader.log().termOrZero(i);
                if (have != want.term()) {
                    throw new AssertionError("leader completeness violated: leader " + leader.id() + " of term "
                            + leader.term() + " has term " + have + " at " + i + ", committed " + want);
                }
            }
            cursor[1] = i;
        }
    }

    /** Records id at index; returns true if it was new. */
    private static boolean set(List<EntryId> list, long index, EntryId id, String what) {
        int pos = (int) index - 1;
        if (pos < list.size()) {
            if (!list.get(pos).equals(id)) {
                throw new AssertionError(what + " " + id + " where " + list.get(pos) + " was");
            }
            return false;
        }
        if (pos != list.size()) {
            throw new AssertionError(what + " " + id + " with a gap: only " + list.size() + " known");
        }
        list.add(id);
        return true;
    }

    /** The content of a committed entry, for checking acknowledged client writes. */
    Entry committedEntry(long index) {
        if (index > committed.size()) {
            return null;
        }
        return entries.get(committed.get((int) index - 1)).entry();
    }

    long committedCount() {
        return committed.size();
    }

    int leaderTerms() {
        return leaderOfTerm.size();
    }

    /** Final check: the logs of every pair of servers agree on every index where their terms agree. */
    static void checkLogsMatch(List<SimNode> nodes) {
        for (int a = 0; a < nodes.size(); a++) {
            for (int b = a + 1; b < nodes.size(); b++) {
                RaftLog la = nodes.get(a).raft.log();
                RaftLog lb = nodes.get(b).raft.log();
                long last = Math.min(la.lastIndex(), lb.lastIndex());
                boolean matched = false;
                long first = Math.max(1, Math.max(la.firstIndex(), lb.firstIndex()));
                for (long i = last; i >= first; i--) {
                    long ta = la.term(i);
                    long tb = lb.term(i);
                    if (matched && ta != tb) {
                        throw new AssertionError("log matching violated between " + nodes.get(a).id + " and "
                                + nodes.get(b).id + " at " + i);
                    }
                    if (ta == tb) {
                        matched = true;
                        if (!Objects.equals(la.slice(i, i + 1, Long.MAX_VALUE), lb.slice(i, i + 1, Long.MAX_VALUE))) {
                            throw new AssertionError("entries differ at " + i + " with equal terms");
                        }
                    }
                }
            }
        }
    }
}
