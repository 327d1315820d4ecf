package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease reads under clock drift within the configured bound: servers tick at rates up to 1.5 times
 * apart (the bound {@code leaseDriftTicks} is sized for), in the fault mix that most often cuts a leasing
 * leader off (frequent partitions, CheckQuorum, no pauses, a prompt network). Every client history, lease
 * reads included, must be linearizable. The default simulator runs (SimulatorTest, 500 seeds) also serve
 * lease reads under the same drift.
 */
class LeaseDriftTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseDriftTest.class);

    @Test
    void leaseReadsStayLinearizableWithinTheDriftBound() {
        SimVariant variant = SimVariant.DEFAULT.withFaults(SimVariant.isolatedLeasingLeaders());
        ConcurrentSkipListMap<Long, String> failures = new ConcurrentSkipListMap<>();
        AtomicLong leaseReads = new AtomicLong();
        int seeds = Integer.getInteger("raft.sim.leaseSeeds", 100);
        LongStream.rangeClosed(1, seeds).parallel().forEach(seed -> {
            Simulation sim = new Simulation(seed, 2000, false, variant);
            try {
                sim.run();
                leaseReads.addAndGet(sim.stats.leaseReadsServed);
            } catch (AssertionError e) {
                failures.put(seed, String.valueOf(e.getMessage()));
            }
        });
        LOG.info("{} seeds, {} lease reads served, failures {}", seeds, leaseReads, failures.keySet());
        assertTrue(
                failures.isEmpty(),
                () -> "seed " + failures.firstKey() + ": "
                        + failures.firstEntry().getValue());
        assertTrue(leaseReads.get() > 1000, "only " + leaseReads + " lease reads");
    }
}
