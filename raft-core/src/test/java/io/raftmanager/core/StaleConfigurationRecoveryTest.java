package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A voter that loses its log (and with it every configuration change since bootstrap) recovers with its
 * bootstrap configuration. Probing only that configuration's voters, it may vote for a candidate lacking
 * an entry committed under a later configuration (docs/storage-faults.md, "A voter whose configuration is
 * stale"; simulator JOINERS seeds 1523 and 1707). Probe answers carry the responders' configurations, so it
 * hears the current voters too.
 */
class StaleConfigurationRecoveryTest {
    private static final ByteString W = ByteString.copyFromUtf8("SET W x");

    private static MembershipChange change(PeerChangeType type, long peer) {
        return MembershipChange.newBuilder()
                .addChanges(PeerChange.newBuilder().setType(type).setPeer(peer))
                .build();
    }

    /**
     * {1, 2, 3} becomes {1, 3, 4} (2 is removed and stays up); W is committed by {1, 4} while 3 is cut off;
     * then 1 loses its log but keeps its hard state (a detected loss), 4 stops and 3 returns. Returns the
     * network with 1 recovering from its bootstrap configuration {1, 2, 3}, 1, 2 and 3 up.
     */
    private static TestNetwork loseTheLogAfterAConfigurationChange(boolean ignoreReportedConfigurations) {
        TestNetwork net = RuleFixtures.recoveringClusterLedByOneWithJoiner();
        TestNode leader = net.node(1);
        assertEquals(Role.LEADER, leader.raft.role());
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        net.tickAndSettle(20, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4));
        net.tickAndSettle(10, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_REMOVE, 2));
        net.tickAndSettle(10, 1, 2, 3, 4);
        assertEquals(List.of(1L, 3L, 4L), net.node(3).raft.membership().getVotersList());

        net.isolate(3);
        leader.raft.propose(W);
        net.tickAndSettle(5, 1, 2, 4);
        assertTrue(net.node(4).holds(W));
        assertTrue(leader.raft.log().committed() >= leader.raft.log().lastIndex(), "W is committed by {1, 4}");
        assertFalse(net.node(3).holds(W));

        HardState hs = leader.storage.initialState().hardState().toBuilder()
                .setCommit(0)
                .build();
        MemoryLogStorage disk = MemoryLogStorage.withVoters(1, 2, 3);
        disk.write(new LogBatch(hs, List.of(), true));
        TestNode one = net.node(1).restartOn(disk);
        PersistentState lost = new PersistentState(hs, disk.initialState().membership(), true);
        one.raft = Raft.create(one.config, disk, lost, new SplittableRandom(1));
        if (ignoreReportedConfigurations) {
            PlantedBugs.ignoreReportedConfigurations(one.raft);
        }
        net.replace(one);
        net.heal();
        net.isolate(4);
        return net;
    }

    @Test
    void aVoterThatLostItsLogHearsTheCurrentConfigurationBeforeItVotes() {
        TestNetwork net = loseTheLogAfterAConfigurationChange(false);
        net.tickAndSettle(300, 1, 2, 3);
        assertFalse(net.node(3).raft.role() == Role.LEADER, "3 lacks W: it must not lead");
        assertTrue(net.node(1).raft.recovery.active(), "1 waits for 4, a voter of {1, 3, 4}");

        // 4 returns: a leader holding W is elected, and 1 catches up and recovers.
        net.heal();
        net.tickAndSettle(300, 1, 2, 3, 4);
        TestNode leader = null;
        for (long id : List.of(1L, 3L, 4L)) {
            if (net.node(id).raft.role() == Role.LEADER) {
                leader = net.node(id);
            }
        }
        assertNotNull(leader, "a leader once every voter of {1, 3, 4} is back");
        assertTrue(leader.holds(W), "the leader holds W");
        assertTrue(net.node(1).holds(W), "1 has W again");
        assertFalse(net.node(1).raft.recovery.active(), "1 has recovered");
    }

    /** Planted: hearing only its bootstrap configuration {1, 2, 3}, 1 votes 3 in, and W is lost. */
    @Test
    void ignoringTheReportedConfigurationsElectsALeaderWithoutACommittedEntry() {
        TestNetwork net = loseTheLogAfterAConfigurationChange(true);
        net.tickAndSettle(300, 1, 2, 3);
        assertEquals(Role.LEADER, net.node(3).raft.role());
        assertFalse(net.node(3).holds(W));
    }
}
