package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.Role;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.testkit.SimScheduler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ElectionTurns} on three {@link RaftServer}s in virtual time: the campaign order, and that a
 * server whose turn has not come still campaigns once the servers before it had theirs, even while it
 * still remembers a leader that is gone.
 */
class ElectionTurnsTest {
    private static final long MS = 1_000_000L;
    private static final int TICK_MS = 10;
    private static final int ELECTION_TICKS = 10;

    @Test
    void theOrderStartsAtGroupModNAndPreferredLeaderIsItsHead() {
        assertEquals(List.of(1L, 2L, 3L), ElectionTurns.order(3, List.of(3L, 1L, 2L)));
        assertEquals(List.of(2L, 3L, 1L), ElectionTurns.order(4, List.of(3L, 1L, 2L)));
        assertEquals(List.of(3L, 1L, 2L), ElectionTurns.order(5, List.of(2L, 3L, 1L)));
        assertEquals(3L, RaftServer.preferredLeader(5, List.of(1L, 2L, 3L)));
        assertEquals(0L, RaftServer.preferredLeader(5, List.of()));
    }

    /**
     * Group 3 prefers server 1 (order 1, 2, 3). Server 1 leads it, then drops the group while staying up
     * (its other group keeps it alive, so nobody suspects it). Servers 2 and 3 still remember 1 as leader;
     * 2 must take its turn after {@value ElectionTurns#TURN_TIMEOUTS} election timeouts, and wins with 3.
     */
    @Test
    void aLaterServerCampaignsOnceTheEarlierOnesHadTheirTurn() {
        SimScheduler scheduler = new SimScheduler();
        LoadedWire wire = new LoadedWire(scheduler, MS / 2, 10_000, MS);
        scheduler.start("wire", wire);
        Map<Long, RaftServer> servers = new TreeMap<>();
        Map<Long, RaftNode> group3 = new TreeMap<>();
        for (long id = 1; id <= 3; id++) {
            RaftServer s = RaftServer.builder()
                    .nodeId(id)
                    .transport(wire.open(id))
                    .scheduler(scheduler)
                    .seed(id)
                    .coalesceHeartbeatsMillis(TICK_MS)
                    .preferredLeaders(true)
                    .build();
            s.start();
            servers.put(id, s);
            for (long g : List.of(3L, 4L)) {
                RaftNode n = s.createGroup(
                        config(id, g),
                        MemoryLogStorage.withVoters(1, 2, 3),
                        new MemorySnapshotStore(),
                        new ElectionStormSimulation.Nothing());
                if (g == 3) {
                    group3.put(id, n);
                }
            }
        }
        scheduler.runFor(2_000 * MS);
        assertEquals(Role.LEADER, group3.get(1L).state().role(), "group 3 elected its preferred server");
        assertEquals(Role.LEADER, servers.get(2L).group(4).state().role(), "group 4 elected its preferred server");

        servers.get(1L).removeGroup(3);
        long removedAt = scheduler.nanoTime();
        long electedAfter = -1;
        for (int i = 0; i < 300 && electedAfter < 0; i++) {
            scheduler.runFor(10 * MS);
            for (long id = 2; id <= 3; id++) {
                if (group3.get(id).state().role() == Role.LEADER) {
                    assertEquals(2L, id, "the next server in order took over");
                    electedAfter = (scheduler.nanoTime() - removedAt) / MS;
                }
            }
        }
        long turnMs = (long) ElectionTurns.TURN_TIMEOUTS * ELECTION_TICKS * TICK_MS;
        assertTrue(electedAfter >= 0, "group 3 got a new leader within 3 s (it remembered a gone leader)");
        assertTrue(electedAfter > turnMs, "server 2 waited its turn first: " + electedAfter + " ms");
        assertTrue(electedAfter < turnMs + 4 * ELECTION_TICKS * TICK_MS, "then campaigned: " + electedAfter + " ms");
        servers.values().forEach(RaftServer::close);
    }

    private static RaftConfig config(long id, long group) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId("turns")
                .groupId(group)
                .tickMillis(TICK_MS)
                .heartbeatTicks(1)
                .electionTicks(ELECTION_TICKS)
                .digestIntervalTicks(0)
                .build();
    }
}
