package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftmanager.Membership;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which node the balancer hands a group to while members change: a voter of that group, never a learner. */
class LeaderBalancerTest {
    private static Shard shard(int group, List<Long> voters, List<Long> learners) {
        Membership m = new Membership(new TreeSet<>(voters), new TreeSet<>(learners), new TreeSet<>(), new TreeSet<>());
        return new Shard(group, null, 0, m, (s, t) -> {});
    }

    @Test
    void aJoiningNodeIsPreferredOnlyWhereItVotes() {
        // Node 4 a learner in group 3: the group's preference stays on the voters (3 mod 3: node 1).
        assertEquals(1, LeaderBalancer.preferred(shard(3, List.of(1L, 2L, 3L), List.of(4L))));
        // A voter there: group 3 of 4 voters prefers it (3 mod 4), and the other groups keep theirs.
        assertEquals(4, LeaderBalancer.preferred(shard(3, List.of(1L, 2L, 3L, 4L), List.of())));
        assertEquals(1, LeaderBalancer.preferred(shard(0, List.of(1L, 2L, 3L, 4L), List.of())));
        assertEquals(3, LeaderBalancer.preferred(shard(2, List.of(1L, 2L, 3L, 4L), List.of())));
        // A removed node is out of the voters: its groups prefer the remaining ones.
        assertEquals(2, LeaderBalancer.preferred(shard(0, List.of(2L, 3L, 4L), List.of())));
        assertEquals(0, LeaderBalancer.preferred(shard(0, List.of(), List.of(4L))), "no voters: nobody");
    }
}
