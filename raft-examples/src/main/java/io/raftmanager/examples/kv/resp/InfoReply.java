package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.NodeStatus;
import io.raftmanager.examples.kv.KvNode;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The INFO reply: a Server, a Clients and a Raft section, in Redis' {@code field:value} format. With
 * several groups the Raft section's first fields are group 0's, then a summary over the groups and one
 * line per group.
 */
final class InfoReply {
    private final KvNode node;

    InfoReply(KvNode node) {
        this.node = node;
    }

    CompletableFuture<RedisMessage> reply(Session s, String section) {
        String wanted = section.toLowerCase(Locale.ROOT);
        boolean raft = wanted.equals("default")
                || wanted.equals("all")
                || wanted.equals("everything")
                || wanted.equals("raft");
        CompletableFuture<io.raftmanager.examples.kv.GroupSummary> groups =
                node.shards().size() > 1 && raft
                        ? CompletableFuture.completedFuture(io.raftmanager.examples.kv.GroupSummary.of(node))
                        : CompletableFuture.completedFuture(null);
        return node.raft()
                .status()
                .orTimeout(node.config().requestTimeoutMillis(), TimeUnit.MILLISECONDS)
                .thenCombine(groups, (status, summary) -> render(s, wanted, status, summary))
                .exceptionally(err -> Replies.failure(err, false));
    }

    private RedisMessage render(
            Session s, String wanted, NodeStatus st, io.raftmanager.examples.kv.GroupSummary groups) {
        boolean all = wanted.equals("default") || wanted.equals("all") || wanted.equals("everything");
        StringBuilder b = new StringBuilder();
        if (all || wanted.equals("server")) {
            b.append("# Server\r\n")
                    .append("redis_version:7.0.0\r\n")
                    .append("raft_kv_version:0.1.0\r\n")
                    .append("process_id:")
                    .append(ProcessHandle.current().pid())
                    .append("\r\n")
                    .append("tcp_port:")
                    .append(node.redisAddress().getPort())
                    .append("\r\n\r\n");
        }
        if (all || wanted.equals("clients")) {
            b.append("# Clients\r\n")
                    .append("connected_clients:")
                    .append(node.metrics().connectedClients())
                    .append("\r\nclient_name:")
                    .append(s.name)
                    .append("\r\nread_mode:")
                    .append(s.readMode.wireName())
                    .append("\r\n\r\n");
        }
        if (all || wanted.equals("raft")) {
            String members =
                    node.config().peers().keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
            b.append("# Raft\r\n")
                    .append("raft_node_id:")
                    .append(st.id())
                    .append("\r\nraft_role:")
                    .append(st.role().name().toLowerCase(Locale.ROOT))
                    .append("\r\nraft_term:")
                    .append(st.term())
                    .append("\r\nraft_leader:")
                    .append(st.leader().orElse(0)) // 0: none known
                    .append("\r\nraft_commit_index:")
                    .append(st.commitIndex())
                    .append("\r\nraft_applied_index:")
                    .append(st.appliedIndex())
                    .append("\r\nraft_last_index:")
                    .append(st.lastIndex())
                    .append("\r\nraft_members:")
                    .append(members)
                    .append("\r\nraft_recovery:")
                    .append(st.recovery() == null ? "none" : st.recovery())
                    .append("\r\nraft_disk_full:")
                    .append(st.diskFull() ? 1 : 0)
                    .append("\r\n");
            st.peers().entrySet().stream()
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> b.append("raft_member_")
                            .append(e.getKey())
                            .append(":match_index=")
                            .append(e.getValue().matchIndex())
                            .append(",lag=")
                            .append(e.getValue().lag())
                            .append("\r\n"));
            if (groups != null) {
                appendGroups(b, groups);
            }
        }
        return Replies.bulk(b.toString());
    }

    private static void appendGroups(StringBuilder b, io.raftmanager.examples.kv.GroupSummary groups) {
        b.append("raft_groups:")
                .append(groups.states().size())
                .append("\r\nraft_groups_led:")
                .append(groups.led())
                .append("\r\nraft_groups_leaderless:")
                .append(groups.leaderless())
                .append("\r\nraft_groups_quiesced:")
                .append(groups.quiesced())
                .append("\r\nraft_group_leaders:")
                .append(groups.leadersByNode().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")))
                .append("\r\n");
        for (int g = 0; g < groups.states().size(); g++) {
            io.raftmanager.NodeState st = groups.states().get(g);
            b.append("raft_group_").append(g).append(':');
            if (st == null) {
                b.append("status=unavailable\r\n");
                continue;
            }
            b.append("role=")
                    .append(st.role().name().toLowerCase(Locale.ROOT))
                    .append(",term=")
                    .append(st.term())
                    .append(",leader=")
                    .append(st.leader().orElse(0)) // 0: none known
                    .append(",commit_index=")
                    .append(st.commitIndex())
                    .append(",applied_index=")
                    .append(st.appliedIndex())
                    .append(",last_index=")
                    .append(st.lastIndex())
                    .append("\r\n");
        }
    }
}
