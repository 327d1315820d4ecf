package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import io.raftmanager.proto.RaftMessage;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Follower read contexts are unique per incarnation (issue 17, item 6). A follower asks the leader for a
 * read index under a context; when contexts restarted at the same number with the process, an answer to
 * the previous incarnation's read that arrived late matched the restarted follower's first read and served
 * it at the old index, missing writes acknowledged before it began.
 */
class FollowerReadIncarnationTest {
    private static ByteString n(long v) {
        return ByteString.copyFromUtf8(Long.toString(v));
    }

    @Test
    void aLateAnswerToThePreviousIncarnationsReadServesNoReadOfTheNextOne() {
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 12, b -> b.digestIntervalTicks(0))) {
            long leader = c.awaitLeader(3_000);
            long f = leader % 3 + 1;
            c.await(c.nodes.get(leader).propose(n(1)), 2_000).join();
            c.runFor(100);
            c.recordSent = true;
            int mark = c.sent.size();
            assertEquals(
                    n(1),
                    c.await(c.nodes.get(f).read(ByteString.EMPTY, ReadConsistency.FOLLOWER), 2_000)
                            .join());
            RaftMessage oldAnswer = c.sent.subList(mark, c.sent.size()).stream()
                    .filter(m -> m.hasReadIndexResponse() && m.getTo() == f)
                    .findFirst()
                    .orElse(null);
            assertNotNull(oldAnswer, "precondition: the leader answered the follower's read");

            c.stop(f);
            c.start(f);
            c.runFor(200);
            assertEquals(leader, c.status(f).leader(), "precondition: the restarted follower follows the leader");
            c.network.cut(f, leader);
            c.network.cut(leader, f);
            assertEquals(
                    n(11), c.await(c.nodes.get(leader).propose(n(10)), 2_000).join(), "acknowledged");
            CompletableFuture<ByteString> read = c.nodes.get(f).read(ByteString.EMPTY, ReadConsistency.FOLLOWER);
            c.runFor(20);
            // The previous incarnation's answer arrives late (the link is opened just for it).
            c.network.heal();
            c.network.transport(leader).send(oldAnswer);
            c.network.cut(f, leader);
            c.network.cut(leader, f);
            c.runFor(40);
            assertEquals(Role.FOLLOWER, c.status(f).role());
            assertEquals(leader, c.status(f).leader(), "precondition: still following the same leader and term");
            assertTrue(
                    !read.isDone() || read.isCompletedExceptionally(),
                    () -> "served " + read.join().toStringUtf8() + " although 11 was acknowledged before the read");
            c.network.heal();
            c.runFor(1_000);
            if (read.isDone() && !read.isCompletedExceptionally()) {
                assertNotEquals(n(1), read.join());
            }
        }
    }
}
