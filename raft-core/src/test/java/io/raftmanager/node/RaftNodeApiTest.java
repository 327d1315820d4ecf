package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Applied;
import io.raftmanager.NodeState;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The synchronous view, results that carry their index, and reads that wait for a minimum index. */
class RaftNodeApiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static long idOf(LocalCluster c, RaftNode node) {
        return c.nodes.entrySet().stream()
                .filter(e -> e.getValue() == node)
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    @Test
    void stateShowsRoleLeaderTermAndIndexesWithoutAFuture() {
        try (LocalCluster c = new LocalCluster(3)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long leaderId = idOf(c, leader);
            Applied a = leader.submit(ByteString.copyFromUtf8("4"))
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join();
            // The view is published at the end of the loop's pass; the future may complete within it.
            LocalCluster.await(
                    () -> leader.state().commitIndex() >= a.index(), TIMEOUT, "the leader's view to show the commit");
            NodeState s = leader.state();
            assertEquals(Role.LEADER, s.role());
            assertTrue(s.isLeader());
            assertEquals(leaderId, s.nodeId());
            assertEquals(OptionalLong.of(leaderId), s.leader());
            assertTrue(s.term() >= 1, s.toString());
            assertTrue(s.commitIndex() >= a.index() && s.lastIndex() >= s.commitIndex(), s.toString());
            for (long id : c.ids()) {
                RaftNode n = c.nodes.get(id);
                LocalCluster.await(
                        () -> n.state().leader().equals(OptionalLong.of(leaderId))
                                && n.state().appliedIndex() >= a.index(),
                        TIMEOUT,
                        "node " + id + " to show the leader and the applied write");
                NodeState v = n.state();
                assertEquals(s.term(), v.term(), "one term: " + v);
                assertTrue(v.appliedIndex() <= v.commitIndex() && v.commitIndex() <= v.lastIndex(), v.toString());
                assertEquals(id == leaderId ? Role.LEADER : Role.FOLLOWER, v.role());
            }
        }
    }

    @Test
    void roleListenersSeeTheNewViewAlreadyAndNoLeaderIsEmpty() {
        try (LocalCluster c = new LocalCluster(3)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long leaderId = idOf(c, leader);
            long followerId =
                    c.ids().stream().filter(id -> id != leaderId).findFirst().orElseThrow();
            RaftNode follower = c.nodes.get(followerId);
            List<String> seen = new CopyOnWriteArrayList<>();
            follower.addListener(new RaftListener() {
                @Override
                public void onRoleChange(Role role, long term, OptionalLong leader) {
                    NodeState s = follower.state();
                    seen.add(
                            role + "/" + term + "/" + leader + " view " + s.role() + "/" + s.term() + "/" + s.leader());
                }
            });
            c.network.isolate(followerId); // it loses the leader and probes for votes alone (PreVote)
            LocalCluster.await(() -> follower.state().role() != Role.FOLLOWER, TIMEOUT, "an election timeout");
            assertTrue(follower.state().leader().isEmpty(), "no leader known: " + follower.state());
            LocalCluster.await(() -> !seen.isEmpty(), TIMEOUT, "a role change");
            for (String e : seen) {
                String[] parts = e.split(" view ");
                assertEquals(parts[0], parts[1], "the view already shows what the listener is told: " + e);
            }
            assertTrue(seen.stream().anyMatch(e -> e.contains("OptionalLong.empty")), seen.toString());
        }
    }

    @Test
    void aStaleReadWithTheWritesIndexReadsTheWriteOnALaggingFollower() {
        try (LocalCluster c = new LocalCluster(3)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long leaderId = idOf(c, leader);
            long followerId =
                    c.ids().stream().filter(id -> id != leaderId).findFirst().orElseThrow();
            RaftNode follower = c.nodes.get(followerId);
            c.network.cut(leaderId, followerId); // the follower hears nothing more from the leader
            Applied write = leader.submit(ByteString.copyFromUtf8("7"))
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join();
            assertEquals("7", write.result().toStringUtf8());

            CompletableFuture<ByteString> mine = follower.read(ByteString.EMPTY, ReadConsistency.STALE, write.index());
            String plain = follower.read(ByteString.EMPTY, ReadConsistency.STALE)
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join()
                    .toStringUtf8();
            // The plain read queued behind the first one and was answered: the first one waits for the index.
            assertEquals("0", plain, "the follower has not seen the write");
            assertFalse(mine.isDone(), "a read with the write's index must not be served before it is applied");

            c.network.heal();
            assertEquals("7", mine.orTimeout(30, TimeUnit.SECONDS).join().toStringUtf8(), "read your write");
        }
    }
}
