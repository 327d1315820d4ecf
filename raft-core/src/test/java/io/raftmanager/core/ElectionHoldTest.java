package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.Role;
import org.junit.jupiter.api.Test;

/** A runtime may hold a due election back ({@code tick(now, false)}); the core campaigns at the next tick that may. */
class ElectionHoldTest {
    private static TestNetwork cluster() {
        return new TestNetwork(
                TestNode.create(1, b -> b.checkQuorum(true).preVote(true), 1, 2, 3),
                TestNode.create(2, b -> b.checkQuorum(true).preVote(true), 1, 2, 3),
                TestNode.create(3, b -> b.checkQuorum(true).preVote(true), 1, 2, 3));
    }

    @Test
    void campaignDueAnnouncesTheTickThatWouldCampaignAndAHeldElectionWaitsUntilAllowed() {
        TestNetwork net = cluster();
        Raft r = net.node(1).raft;
        int ticks = 0;
        while (!r.campaignDue()) {
            r.tick();
            ticks++;
            assertEquals(Role.FOLLOWER, r.role(), "no campaign before it is announced due");
            assertTrue(ticks < 100, "due within two election timeouts");
        }
        long clock = ticks * 100_000_000L; // TestNode's tick is 100 ms, and tick() advanced the clock so far
        for (int held = 0; held < 50; held++) {
            clock += 100_000_000L;
            r.tick(clock, false);
            assertEquals(Role.FOLLOWER, r.role(), "held back at tick " + held);
            assertTrue(r.campaignDue(), "stays due while held");
        }
        net.stabilize();
        assertTrue(net.delivered().isEmpty(), "a held election sends nothing");
        r.tick(clock + 100_000_000L, true);
        assertEquals(Role.PRE_CANDIDATE, r.role(), "campaigns at the first tick that may");
        assertFalse(r.campaignDue(), "a fresh timeout after starting");
        net.stabilize();
        assertEquals(Role.LEADER, r.role(), "and wins");
    }

    @Test
    void aLeaderAndAQuiescedFollowerAreNeverDue() {
        TestNetwork net = cluster();
        net.node(1).raft.campaign();
        net.stabilize();
        net.node(1).raft.tick();
        net.stabilize();
        assertFalse(net.node(1).raft.campaignDue(), "a leader does not campaign");
        assertTrue(net.node(1).raft.quiesce());
        net.stabilize();
        Raft follower = net.node(2).raft;
        assertTrue(follower.quiesced());
        for (int t = 0; t < 100; t++) {
            follower.tick();
            assertFalse(follower.campaignDue(), "a quiesced follower counts no election time");
        }
    }
}
