package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.core.log.EntryId;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Lease reads after a stall (issue 17, item 1), constructed step by step: a leader holds a lease, its
 * process stalls past it (it neither ticks nor hears anything) while the others elect a new leader that
 * acknowledges a write, and then a lease read reaches the old leader before it has caught up the ticks it
 * missed: the order in which the runtime's loop drains its inbox. The read must not be served from the old
 * leader's state. It is judged on the clock reading that came with it, which counted the stall; the
 * planted bug judges it on counted ticks, which did not, and serves it stale.
 */
class LeaseStallTest {
    private static final long TICK = 100_000_000L; // TestNode's default tickMillis, in nanoseconds

    /** What the stalled leader did with the lease read: the read state it produced, if any. */
    private record Outcome(List<ReadState> served, long oldCommit, EntryId newWrite) {}

    private static Outcome stallThenLeaseRead(Consumer<Raft> plant) {
        TestNode[] nodes = new TestNode[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = TestNode.create(i + 1, b -> b.checkQuorum(true).preVote(true), 1, 2, 3);
        }
        plant.accept(nodes[0].raft);
        TestNetwork net = new TestNetwork(nodes);
        long[] clock = new long[3];

        RuleFixtures.elect(nodes[0]);
        net.stabilize();
        TestNode old = nodes[0];
        old.raft.propose(ByteString.copyFromUtf8("before"));
        net.stabilize();
        clock[0] += TICK;
        old.raft.tick(clock[0]); // a heartbeat round the others answer: the lease starts at clock[0]
        net.stabilize();
        old.raft.readIndex(ByteString.copyFromUtf8("warm"), true, clock[0]);
        net.stabilize();
        assertEquals(1, old.readStates.size(), "precondition: the lease holds and serves at once");
        old.readStates.clear();
        long oldCommit = old.raft.log().committed();

        // The old leader's process stalls: it neither ticks nor receives anything, but its clock runs on.
        net.isolate(1);
        TestNode successor = null;
        for (int t = 0; t < 60 && successor == null; t++) {
            for (int i = 1; i < 3; i++) {
                clock[i] += TICK;
                nodes[i].raft.tick(clock[i]);
            }
            clock[0] += TICK;
            net.stabilize();
            for (int i = 1; i < 3; i++) {
                if (nodes[i].raft.role() == Role.LEADER) {
                    successor = nodes[i];
                }
            }
        }
        assertTrue(successor != null, "precondition: the others elect a new leader");
        EntryId write = successor.raft.propose(ByteString.copyFromUtf8("after"));
        net.stabilize();
        assertTrue(successor.raft.log().committed() >= write.index(), "precondition: the new leader's write commits");
        assertEquals(Role.LEADER, old.raft.role(), "precondition: the stalled leader still believes it leads");

        // The stall ends: a lease read is first in its inbox, before the ticks it missed.
        old.raft.readIndex(ByteString.copyFromUtf8("after-stall"), true, clock[0]);
        net.stabilize();
        return new Outcome(List.copyOf(old.readStates), oldCommit, write);
    }

    @Test
    void aLeaseReadAfterAStallIsNotServedFromTheExpiredLease() {
        Outcome o = stallThenLeaseRead(r -> {});
        for (ReadState rs : o.served()) {
            assertTrue(
                    rs.index() >= o.newWrite().index(),
                    "served at " + rs.index() + ", missing the new leader's acknowledged write at " + o.newWrite());
        }
        assertEquals(
                List.of(), o.served(), "the lease ran out during the stall: the read needs a round nobody answers");
    }

    /** The same construction with the old order's bug planted: the read is served stale. */
    @Test
    void theConstructionCatchesALeaseJudgedOnCountedTicks() {
        Outcome o = stallThenLeaseRead(PlantedBugs::leaseOnCountedTicks);
        assertEquals(1, o.served().size(), "the planted bug serves from the lease");
        assertEquals(o.oldCommit(), o.served().get(0).index());
        assertNotEquals(true, o.served().get(0).index() >= o.newWrite().index(), "and misses the new write");
    }
}
