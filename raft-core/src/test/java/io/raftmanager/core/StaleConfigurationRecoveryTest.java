package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
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
 * bootstrap configuration: it probes the wrong servers and may vote for a candidate lacking a committed
 * entry. Simulator JOINERS seeds 632 and 1949 with the session-5 commit-notice patch, 958 with the
 * commit-notices branch; main fails this test.
 */
class StaleConfigurationRecoveryTest {
    private static final ByteString W = ByteString.copyFromUtf8("SET W x");

    private static TestNode node(long id, long... voters) {
        return TestNode.create(id, b -> b.storageRecovery(true), voters);
    }

    private static void run(TestNetwork net, int rounds, long... up) {
        for (int i = 0; i < rounds; i++) {
            for (long id : up) {
                net.node(id).raft.tick();
            }
            net.stabilize();
        }
    }

    private static boolean holds(TestNode n, ByteString data) {
        for (long i = n.raft.log().firstIndex(); i <= n.raft.log().lastIndex(); i++) {
            for (Entry e : n.raft.log().slice(i, i + 1, Long.MAX_VALUE)) {
                if (e.getType() == EntryType.ENTRY_TYPE_NORMAL && e.getData().equals(data)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static MembershipChange change(PeerChangeType type, long peer) {
        return MembershipChange.newBuilder()
                .addChanges(PeerChange.newBuilder().setType(type).setPeer(peer))
                .build();
    }

    @Test
    void aVoterThatLostItsLogDoesNotElectACandidateLackingACommittedEntry() {
        TestNetwork net = new TestNetwork(node(1, 1, 2, 3), node(2, 1, 2, 3), node(3, 1, 2, 3), node(4));
        run(net, 60, 1, 2, 3, 4);
        TestNode leader = null;
        for (long id = 1; id <= 3; id++) {
            if (net.node(id).raft.role() == Role.LEADER) {
                leader = net.node(id);
            }
        }
        assertNotNull(leader);
        if (leader.id != 1) {
            leader.raft.transferLeadership(1);
            run(net, 30, 1, 2, 3, 4);
        }
        leader = net.node(1);
        assertEquals(Role.LEADER, leader.raft.role());
        // {1, 2, 3} -> {1, 3, 4}: 4 joins as a learner, is promoted, 2 leaves (and stays up, answering).
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER, 4));
        run(net, 20, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER, 4));
        run(net, 10, 1, 2, 3, 4);
        leader.raft.proposeMembershipChange(change(PeerChangeType.PEER_CHANGE_TYPE_REMOVE, 2));
        run(net, 10, 1, 2, 3, 4);
        assertEquals(List.of(1L, 3L, 4L), net.node(3).raft.membership().getVotersList());

        // W is committed by {1, 4} while 3 is cut off.
        net.isolate(3);
        leader.raft.propose(W);
        run(net, 5, 1, 2, 4);
        assertTrue(holds(net.node(4), W));
        assertTrue(leader.raft.log().committed() >= leader.raft.log().lastIndex(), "W is committed by {1, 4}");
        assertFalse(holds(net.node(3), W));

        // 1 loses its log but not its hard state (the storage reports the loss); 4 stops; 3 returns.
        HardState hs = leader.storage.initialState().hardState().toBuilder()
                .setCommit(0)
                .build();
        MemoryLogStorage disk = MemoryLogStorage.withVoters(1, 2, 3);
        disk.write(new LogBatch(hs, List.of(), true));
        TestNode one = net.node(1).restartOn(disk);
        PersistentState lost = new PersistentState(hs, disk.initialState().membership(), true);
        one.raft = Raft.create(one.config, disk, lost, new SplittableRandom(1));
        net.replace(one);
        net.heal();
        net.isolate(4);
        run(net, 300, 1, 2, 3);
        assertFalse(net.node(3).raft.role() == Role.LEADER && !holds(net.node(3), W), "3 lacks W: it must not lead");
    }
}
