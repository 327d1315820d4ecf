package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many groups electing at once on three servers that need time per message ({@link
 * ElectionStormSimulation}, virtual time): 150 groups at 0.5 ms per message is more vote traffic in one
 * election timeout (100 ms) than the servers can handle, as 10,000 groups were on this machine. Every
 * server starts blank with storage recovery on, so the groups first probe each other once. Properties
 * (for exploring): {@code raft.storm.groups}, {@code raft.storm.costMicros}, {@code raft.storm.limit},
 * {@code raft.storm.seeds}.
 */
class ElectionStormSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionStormSimulationTest.class);
    private static final int GROUPS = Integer.getInteger("raft.storm.groups", 150);
    private static final long COST_MICROS = Long.getLong("raft.storm.costMicros", 500);
    private static final int LIMIT = Integer.getInteger("raft.storm.limit", 4);
    private static final int SEEDS = Integer.getInteger("raft.storm.seeds", 1);
    /** Cold start: every group led within this (virtual ms); ten election timeouts. */
    private static final long ELECT_BOUND_MS = 1_000 + 10 * ElectionStormSimulation.TICK_MS * 10;
    /** After the busiest server dies: liveness timeout, then every group it led re-elected within this. */
    private static final long RE_ELECT_BOUND_MS = 1_500;

    /** What the run did wrong against the bounds; empty when it met them. */
    private static List<String> violations(ElectionStormSimulation.Outcome o) {
        List<String> out = new ArrayList<>();
        if (o.elected() < o.groups() || o.allElectedMs() > ELECT_BOUND_MS) {
            out.add(o.elected() + "/" + o.groups() + " groups elected, the last at " + o.allElectedMs() + " ms (bound "
                    + ELECT_BOUND_MS + " ms)");
        } else if (o.reElected() < o.victimLed() || o.reElectedMs() > RE_ELECT_BOUND_MS) {
            out.add(o.reElected() + "/" + o.victimLed() + " groups of the dead server re-elected, the last after "
                    + o.reElectedMs() + " ms (bound " + RE_ELECT_BOUND_MS + " ms)");
        }
        return out;
    }

    private static ElectionStormSimulation.Outcome run(long seed, int limit, long startMs) {
        long t0 = System.nanoTime();
        ElectionStormSimulation.Outcome o =
                new ElectionStormSimulation(seed, GROUPS, limit, COST_MICROS).run(startMs, 5_000);
        LOG.info("election storm seed {} limit {}: {} in {} ms", seed, limit, o, (System.nanoTime() - t0) / 1_000_000);
        return o;
    }

    @Test
    void campaignsAFewAtATimeElectEveryGroupAndReElectTheDeadServersGroups() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            ElectionStormSimulation.Outcome o = run(seed, LIMIT, 2 * ELECT_BOUND_MS);
            assertEquals(List.of(), violations(o), "seed " + seed + ": " + o);
            long electionMs = ElectionStormSimulation.TICK_MS * ElectionStormSimulation.ELECTION_TICKS;
            assertFalse(o.reElectQueueMs() > electionMs, "messages never waited an election timeout: " + o);
            // Every server starts blank and probes every peer of every group once (this wire loses
            // nothing): per-tick probes would be 6 per group per tick until answered.
            long oneRound = 3L * 2 * GROUPS;
            assertEquals(oneRound, o.startProbes(), "one probe round per group: " + o);
            // That round (a probe and an answer each way per group) is the only queue at start.
            long roundMs = 4 * GROUPS * COST_MICROS / 1_000;
            assertFalse(o.startQueueMs() > roundMs + electionMs, "start-up queue beyond the probe round: " + o);
        }
    }

    /**
     * With {@linkplain io.raftmanager.RaftServer.Builder#preferredLeaders turns}: every group is first
     * elected on its preferred server with one campaign (no split votes, nothing to rebalance), and when
     * the busiest server dies each of its groups is re-elected on its next server in order, again with
     * one campaign. Without turns the same run splits votes and elects groups anywhere.
     */
    @Test
    void groupsTakingTurnsElectOnceOnTheirPreferredServer() {
        ElectionStormSimulation.Outcome o =
                new ElectionStormSimulation(1, GROUPS, LIMIT, COST_MICROS, true).run(2 * ELECT_BOUND_MS, 5_000);
        LOG.info("election storm with turns: {}", o);
        assertEquals(List.of(), violations(o), o.toString());
        assertEquals(GROUPS, o.firstOnPreferred(), "first leaders on their preferred server: " + o);
        assertEquals(2L * GROUPS, o.startCampaigns(), "one pre-vote and one vote per group: " + o);
        assertEquals(o.victimLed(), o.reElectedOnSuccessor(), "re-elected on the next server in order: " + o);
        assertEquals(2L * o.victimLed(), o.reElectCampaigns(), "one campaign per group of the dead server: " + o);

        ElectionStormSimulation.Outcome without = run(1, LIMIT, 2 * ELECT_BOUND_MS);
        assertFalse(
                without.firstOnPreferred() == GROUPS && without.startCampaigns() == 2L * GROUPS,
                "without turns the groups split votes or elect elsewhere: " + without);
    }

    /** Planted: the same load with every group campaigning when its timeout ends, as before the limit. */
    @Test
    void unlimitedCampaignsUnderTheSameLoadAreCaught() {
        ElectionStormSimulation.Outcome o = run(1, 0, ELECT_BOUND_MS + 100);
        assertFalse(violations(o).isEmpty(), "the storm was not caught: " + o);
    }
}
