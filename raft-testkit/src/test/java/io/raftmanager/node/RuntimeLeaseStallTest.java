package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The lease-read stall of issue 17 through the real runtime under {@link io.raftmanager.testkit.SimScheduler}:
 * the leader's process stalls (its workers stop while virtual time runs on) past its lease, cut off so that
 * nothing from the new leader waits in its inbox; the others elect a new leader, which acknowledges a
 * write; a lease read is posted to the old leader, and then the stall ends. Its event loop drains the read
 * before it catches up the ticks it missed. The read must not be answered from the old state: the loop
 * passes its clock with the read, and the lease, judged on it, has expired. (With the read judged at the
 * last tick instead, the loop answered 1 here.)
 */
class RuntimeLeaseStallTest {
    private static ByteString n(long v) {
        return ByteString.copyFromUtf8(Long.toString(v));
    }

    @Test
    void aLeaseReadDrainedAfterAStallIsNotAnsweredFromTheExpiredLease() {
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 13, b -> b.digestIntervalTicks(0))) {
            long old = c.awaitLeader(3_000);
            assertEquals(n(1), c.await(c.nodes.get(old).propose(n(1)), 2_000).join());
            assertEquals(
                    n(1),
                    c.await(c.nodes.get(old).read(ByteString.EMPTY, ReadConsistency.LEASE), 2_000)
                            .join(),
                    "precondition: lease reads work");

            c.stalled.add(old);
            c.network.isolate(old);
            long successor = 0;
            for (int waited = 0; waited < 3_000 && successor == 0; waited += 50) {
                c.runFor(50);
                for (long id : c.nodes.keySet()) {
                    if (id != old && c.status(id).role() == Role.LEADER) {
                        successor = id;
                    }
                }
            }
            assertTrue(successor != 0, "precondition: the others elect a new leader");
            assertEquals(
                    n(11), c.await(c.nodes.get(successor).propose(n(10)), 2_000).join(), "acknowledged");

            CompletableFuture<ByteString> read = c.nodes.get(old).read(ByteString.EMPTY, ReadConsistency.LEASE);
            c.stalled.remove(old); // the stall ends: the read is first in the inbox, the missed ticks after it
            c.runFor(20);
            assertTrue(
                    !read.isDone() || read.isCompletedExceptionally(),
                    () -> "answered " + read.join().toStringUtf8() + " although 11 was acknowledged before the read");
            c.network.heal();
            c.runFor(2_000);
            if (read.isDone() && !read.isCompletedExceptionally()) {
                assertNotEquals(n(1), read.join());
            }
        }
    }
}
