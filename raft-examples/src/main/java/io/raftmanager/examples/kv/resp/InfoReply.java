package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.NodeStatus;
import io.raftmanager.examples.kv.KvNode;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The INFO reply: a Server, a Clients and a Raft section, in Redis' {@code field:value} format. */
final class InfoReply {
    private final KvNode node;

    InfoReply(KvNode node) {
        this.node = node;
    }

    CompletableFuture<RedisMessage> reply(Session s, String section) {
        String wanted = section.toLowerCase(Locale.ROOT);
        return node.raft()
                .status()
                .orTimeout(node.config().requestTimeoutMillis(), TimeUnit.MILLISECONDS)
                .handle((status, err) -> err != null ? Replies.failure(err, false) : render(s, wanted, status));
    }

    private RedisMessage render(Session s, String wanted, NodeStatus st) {
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
                    .append(st.leader())
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
        }
        return Replies.bulk(b.toString());
    }
}
