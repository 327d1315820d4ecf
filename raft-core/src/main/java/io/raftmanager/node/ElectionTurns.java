package io.raftmanager.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * Which voter of a group campaigns first when the group has no leader: the voters in id order, starting
 * at the one at index {@code groupId mod n}, so the groups' leaders spread evenly over the servers. A
 * server campaigns at once when every server before it in that order is suspected dead; otherwise it
 * waits {@value #TURN_TIMEOUTS} election timeouts for each of them that is not, then campaigns anyway
 * (an earlier server that is up but cannot win, for instance one that recovers its storage, delays the
 * group by that much, never blocks it).
 *
 * <p>Why: when thousands of groups elect at once (a new cluster, or a server leading many of them dies
 * and their quiesced followers wake together), every replica whose timeout runs out campaigns, the votes
 * split, and each split costs a full randomized timeout; at start the leaders then also land anywhere and
 * must be moved. Taking turns elects each group once, on the server that should lead it: a new cluster
 * needs no rebalancing, and after a server dies one survivor per group campaigns. Holding a campaign back
 * is always safe (see {@link io.raftmanager.core.Raft#tick(long, boolean)}).
 */
public final class ElectionTurns {
    /** Election timeouts a server waits for each live server before it in the order. */
    public static final int TURN_TIMEOUTS = 5;

    private final LongPredicate suspected;
    private final LongAdder waits = new LongAdder();

    /** @param suspected whether the host suspects a server dead now (node liveness) */
    public ElectionTurns(LongPredicate suspected) {
        this.suspected = suspected;
    }

    /**
     * Group {@code groupId}'s campaign order: its voters in id order, starting at index {@code groupId mod
     * n}; the first is the group's preferred leader. Empty without voters.
     */
    public static List<Long> order(long groupId, Collection<Long> voters) {
        List<Long> sorted = new ArrayList<>(voters);
        sorted.sort(null);
        List<Long> out = new ArrayList<>(sorted.size());
        int n = sorted.size();
        for (int i = 0; i < n; i++) {
            out.add(sorted.get((int) Math.floorMod(groupId + i, (long) n)));
        }
        return out;
    }

    /**
     * Whether server {@code self} may campaign for group {@code groupId} now, having been due for {@code
     * waitedTicks} ticks without a leader.
     */
    boolean mayCampaign(long groupId, long self, Collection<Long> voters, int waitedTicks, int electionTicks) {
        int ahead = 0;
        for (long id : order(groupId, voters)) {
            if (id == self) {
                break;
            }
            if (!suspected.test(id)) {
                ahead++;
            }
        }
        if (ahead == 0 || waitedTicks > ahead * TURN_TIMEOUTS * electionTicks) {
            return true;
        }
        waits.increment();
        return false;
    }

    /** Ticks at which a due campaign waited for an earlier server's turn, since creation. */
    public long waits() {
        return waits.sum();
    }
}
