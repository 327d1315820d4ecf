package io.raftmanager.examples.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KeySlots;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.resp.RespClient;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's sharding-aware routing: which of the targets leads the group of a key, read once at
 * start from every target's {@code INFO raft} ({@code raft_node_id}, {@code raft_groups} and each {@code
 * raft_group_<g>:...,leader=<id>}; with one group, {@code raft_leader}). Keys are placed as the nodes place
 * them ({@link KeySlots}). A leader that moves later costs a forward, not an error.
 */
final class KeyRouter {
    private final KeySlots slots;
    /** Target index of each group's leader, or -1 when it is none of the targets. */
    private final int[] leaderTarget;

    private KeyRouter(KeySlots slots, int[] leaderTarget) {
        this.slots = slots;
        this.leaderTarget = leaderTarget;
    }

    /** The index of the target leading {@code key}'s group, or -1 if unknown. */
    int target(byte[] key) {
        return leaderTarget[slots.groupOf(ByteString.copyFrom(key))];
    }

    static KeyRouter discover(EventLoopGroup group, List<InetSocketAddress> targets, PrintStream out) throws Exception {
        List<Map<String, String>> infos = new ArrayList<>();
        for (InetSocketAddress t : targets) {
            infos.add(info(group, t));
        }
        KeyRouter router = of(infos);
        out.printf(
                "bench: routing by key over %d groups, %d with a known leader among the targets%n",
                router.leaderTarget.length,
                Arrays.stream(router.leaderTarget).filter(t -> t >= 0).count());
        return router;
    }

    /** The routing that the targets' {@code INFO raft} fields (by target index) describe. */
    static KeyRouter of(List<Map<String, String>> infos) {
        Map<Long, Integer> targetOfNode = new HashMap<>();
        for (int t = 0; t < infos.size(); t++) {
            targetOfNode.put(Long.parseLong(infos.get(t).getOrDefault("raft_node_id", "0")), t);
        }
        Map<String, String> first = infos.get(0);
        int groups = Integer.parseInt(first.getOrDefault("raft_groups", "1"));
        int[] leaderTarget = new int[groups];
        for (int g = 0; g < groups; g++) {
            long leader = groups == 1
                    ? Long.parseLong(first.getOrDefault("raft_leader", "0"))
                    : leaderOf(first.get("raft_group_" + g));
            leaderTarget[g] = targetOfNode.getOrDefault(leader, -1);
        }
        return new KeyRouter(new KeySlots(groups), leaderTarget);
    }

    private static long leaderOf(String groupLine) {
        if (groupLine == null) {
            return 0;
        }
        return Arrays.stream(groupLine.split(","))
                .filter(f -> f.startsWith("leader="))
                .mapToLong(f -> Long.parseLong(f.substring("leader=".length())))
                .findFirst()
                .orElse(0);
    }

    private static Map<String, String> info(EventLoopGroup group, InetSocketAddress target) throws Exception {
        try (RespClient c = RespClient.connect(group, target).get(5, TimeUnit.SECONDS)) {
            RedisMessage r = c.send(List.of(bytes("INFO"), bytes("raft"))).get(30, TimeUnit.SECONDS);
            if (!(r instanceof FullBulkStringRedisMessage bulk)) {
                throw new IllegalStateException("INFO raft on " + KvNode.hostPort(target) + " answered " + r);
            }
            Map<String, String> fields = new HashMap<>();
            for (String line : bulk.content().toString(StandardCharsets.UTF_8).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return fields;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
