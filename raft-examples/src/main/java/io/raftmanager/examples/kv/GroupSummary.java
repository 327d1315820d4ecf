package io.raftmanager.examples.kv;

import io.raftmanager.NodeStatus;
import io.raftmanager.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every group's status on one node with a summary over them, for INFO, {@code /status} and the metrics:
 * with thousands of groups an operator reads the summary and the few busiest groups, not every line.
 *
 * @param statuses by group id; null for a group whose status did not come in time
 * @param led groups this node leads
 * @param leaderless groups with no leader known here
 * @param leadersByNode how many groups each node leads, as this node knows it
 * @param quiesced groups quiesced here (idle: no ticks, no heartbeats)
 */
public record GroupSummary(
        List<NodeStatus> statuses, int led, int leaderless, Map<Long, Integer> leadersByNode, int quiesced) {

    /** Collects every group's status (waiting at most {@code timeoutMillis} for each). */
    public static CompletableFuture<GroupSummary> of(KvNode node, long timeoutMillis) {
        List<CompletableFuture<NodeStatus>> parts = new ArrayList<>();
        for (Shard s : node.shards()) {
            parts.add(s.raft()
                    .status()
                    .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> null));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<NodeStatus> out = new ArrayList<>(parts.size());
            parts.forEach(p -> out.add(p.join()));
            return from(out, node.quiescedGroups());
        });
    }

    static GroupSummary from(List<NodeStatus> statuses, int quiesced) {
        int led = 0;
        int leaderless = 0;
        Map<Long, Integer> byNode = new TreeMap<>();
        for (NodeStatus s : statuses) {
            if (s == null || s.leader().isEmpty()) {
                leaderless++;
                continue;
            }
            if (s.role() == Role.LEADER) {
                led++;
            }
            byNode.merge(s.leader().getAsLong(), 1, Integer::sum);
        }
        return new GroupSummary(statuses, led, leaderless, byNode, quiesced);
    }

    /** The ids of the {@code n} groups with the longest logs here (the busiest), longest first. */
    public List<Integer> busiest(int n) {
        List<Integer> ids = new ArrayList<>();
        for (int g = 0; g < statuses.size(); g++) {
            if (statuses.get(g) != null) {
                ids.add(g);
            }
        }
        ids.sort(Comparator.comparingLong((Integer g) -> statuses.get(g).lastIndex())
                .reversed());
        return ids.subList(0, Math.min(n, ids.size()));
    }

    /** Sums {@code f} over the groups whose status came in. */
    public long sum(java.util.function.ToLongFunction<NodeStatus> f) {
        long total = 0;
        for (NodeStatus s : statuses) {
            if (s != null) {
                total += f.applyAsLong(s);
            }
        }
        return total;
    }
}
