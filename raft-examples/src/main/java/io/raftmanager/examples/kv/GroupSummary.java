package io.raftmanager.examples.kv;

import io.raftmanager.NodeState;
import io.raftmanager.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every group's status on one node with a summary over them, for INFO, {@code /status} and the metrics:
 * with thousands of groups an operator reads the summary and the few busiest groups, not every line.
 *
 * @param states by group id (each group's lock-free view: no task on its event loop, so a status page
 *     over ten thousand groups costs the loops nothing); null entries are tolerated
 * @param led groups this node leads
 * @param leaderless groups with no leader known here
 * @param leadersByNode how many groups each node leads, as this node knows it
 * @param quiesced groups quiesced here (idle: no ticks, no heartbeats)
 */
public record GroupSummary(
        List<NodeState> states, int led, int leaderless, Map<Long, Integer> leadersByNode, int quiesced) {

    /** Every group's current state on {@code node}, read without waiting on any event loop. */
    public static GroupSummary of(KvNode node) {
        List<NodeState> out = new ArrayList<>(node.shards().size());
        for (Shard s : node.shards()) {
            out.add(s.raft().state());
        }
        return from(out, node.quiescedGroups());
    }

    static GroupSummary from(List<NodeState> states, int quiesced) {
        int led = 0;
        int leaderless = 0;
        Map<Long, Integer> byNode = new TreeMap<>();
        for (NodeState s : states) {
            if (s == null || s.leader().isEmpty()) {
                leaderless++;
                continue;
            }
            if (s.role() == Role.LEADER) {
                led++;
            }
            byNode.merge(s.leader().getAsLong(), 1, Integer::sum);
        }
        return new GroupSummary(states, led, leaderless, byNode, quiesced);
    }

    /** The ids of the {@code n} groups with the longest logs here (the busiest), longest first. */
    public List<Integer> busiest(int n) {
        List<Integer> ids = new ArrayList<>();
        for (int g = 0; g < states.size(); g++) {
            if (states.get(g) != null) {
                ids.add(g);
            }
        }
        ids.sort(Comparator.comparingLong((Integer g) -> states.get(g).lastIndex())
                .reversed());
        return ids.subList(0, Math.min(n, ids.size()));
    }

    /** Sums {@code f} over the groups. */
    public long sum(java.util.function.ToLongFunction<NodeState> f) {
        long total = 0;
        for (NodeState s : states) {
            if (s != null) {
                total += f.applyAsLong(s);
            }
        }
        return total;
    }
}
