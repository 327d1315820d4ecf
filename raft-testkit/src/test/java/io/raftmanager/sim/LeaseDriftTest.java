package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease reads under clock drift up to the documented bound ({@code RaftConfig.leaseClockRateBound()} of
 * the default {@code leaseDriftTicks}, which the simulator uses): in the fault mix that most often cuts a
 * leasing leader off (frequent partitions, CheckQuorum, a prompt network), and in the one that pauses
 * leaders and followers for longer than an election timeout while lease reads wait for them. Every client
 * history, lease reads included, must be linearizable. The default simulator runs (SimulatorTest, 500
 * seeds) also serve lease reads under the same drift and pauses.
 */
class LeaseDriftTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseDriftTest.class);

    @Test
    void leaseReadsStayLinearizableWithinTheDriftBound() {
        SimStats total = run(SimVariant.DEFAULT.withFaults(SimVariant.isolatedLeasingLeaders()), "raft.sim.leaseSeeds");
        assertTrue(total.leaseReadsServed > 1000, "only " + total.leaseReadsServed + " lease reads");
    }

    /**
     * Pauses longer than an election timeout, lease reads reaching a paused leader's core when it resumes
     * (before the ticks it missed), and clocks drifting up to the bound.
     */
    @Test
    void leaseReadsStayLinearizableUnderLongPauses() {
        SimStats total = run(SimVariant.DEFAULT.withFaults(SimVariant.pausedLeasingLeaders()), "raft.sim.leaseSeeds");
        assertTrue(total.pauses > 100 && total.leaseReadsServed > 1000, total::toString);
        assertTrue(total.heldLeaseReads > 50, () -> "too few lease reads waited out a pause: " + total);
    }

    private static SimStats run(SimVariant variant, String seedsProperty) {
        ConcurrentSkipListMap<Long, String> failures = new ConcurrentSkipListMap<>();
        ConcurrentLinkedQueue<SimStats> all = new ConcurrentLinkedQueue<>();
        int seeds = Integer.getInteger(seedsProperty, 100);
        LongStream.rangeClosed(1, seeds).parallel().forEach(seed -> {
            Simulation sim = new Simulation(seed, 2000, false, variant);
            try {
                sim.run();
                all.add(sim.stats);
            } catch (AssertionError e) {
                failures.put(seed, String.valueOf(e.getMessage()));
            }
        });
        SimStats total = new SimStats();
        all.forEach(total::add);
        LOG.info("{} seeds: {}; failures {}", seeds, total, failures.keySet());
        assertTrue(
                failures.isEmpty(),
                () -> "seed " + failures.firstKey() + ": "
                        + failures.firstEntry().getValue());
        return total;
    }
}
