package io.raftmanager.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.KeySlots;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's sharding-aware routing sends each key to the target that INFO raft names its group's leader. */
class KeyRouterTest {
    @Test
    void eachKeyGoesToTheTargetLeadingItsGroup() {
        // Targets in the order given: nodes 3, 1, 2. Groups 0..3 led by nodes 1, 2, 3 and none.
        Map<String, String> first = Map.of(
                "raft_node_id", "3",
                "raft_groups", "4",
                "raft_group_0", "role=follower,term=2,leader=1,commit_index=5",
                "raft_group_1", "role=follower,term=2,leader=2,commit_index=5",
                "raft_group_2", "role=leader,term=2,leader=3,commit_index=5",
                "raft_group_3", "role=candidate,term=3,leader=0,commit_index=5");
        KeyRouter router = KeyRouter.of(List.of(first, Map.of("raft_node_id", "1"), Map.of("raft_node_id", "2")));
        int[] expected = {1, 2, 0, -1};
        KeySlots slots = new KeySlots(4);
        for (int i = 0; i < 200; i++) {
            byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
            int group = slots.groupOf(ByteString.copyFrom(key));
            assertEquals(expected[group], router.target(key), "key:" + i + " of group " + group);
        }
    }

    @Test
    void oneGroupGoesToTheLeader() {
        KeyRouter router = KeyRouter.of(List.of(
                Map.of("raft_node_id", "1", "raft_leader", "2"),
                Map.of("raft_node_id", "2"),
                Map.of("raft_node_id", "3")));
        assertEquals(1, router.target("anything".getBytes(StandardCharsets.UTF_8)));
    }
}
