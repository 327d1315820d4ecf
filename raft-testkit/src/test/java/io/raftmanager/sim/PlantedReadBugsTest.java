package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planted-bug demonstrations: tests that prove the simulator and the linearizability checker can fail.
 * With a read-path bug switched on (test-only switches, see {@link SimVariant}), some seed of a fixed
 * range must produce a client history the checker rejects; the same seed with the bug off must pass,
 * which shows the bug, not the harness, made the difference.
 *
 * <p>Replay a seed by hand: {@code new Simulation(seed, 2000, true, variant).run()}.
 */
class PlantedReadBugsTest {
    private static final Logger LOG = LoggerFactory.getLogger(PlantedReadBugsTest.class);
    private static final int STEPS = 2000;
    private static final long SEEDS = 120;

    /**
     * (a) ReadIndex served without the heartbeat round: a leader cut off from the others (no CheckQuorum,
     * so it does not step down) answers reads from its own, stale commit index. Seeds 1-60 found 10
     * violations when written.
     */
    @Test
    void readIndexWithoutHeartbeatRoundIsCaught() {
        SimVariant buggy = SimVariant.ISOLATED.withReadWithoutRound();
        long seed = firstRejectedSeed(buggy);
        SimVariant correct = SimVariant.ISOLATED;
        assertDoesNotThrow(() -> new Simulation(seed, STEPS, false, correct).run(), "seed " + seed);
    }

    /**
     * (b) A read served as soon as its read index is known, before the server has applied up to it: it
     * misses writes that committed before the read began. Seeds 1-200 found 80 violations when written.
     */
    @Test
    void readBeforeApplyCatchesUpIsCaught() {
        long seed = firstRejectedSeed(SimVariant.DEFAULT.withServeBeforeApply());
        assertDoesNotThrow(() -> new Simulation(seed, STEPS, false, SimVariant.DEFAULT).run(), "seed " + seed);
    }

    /**
     * (c) The lease judged on counted ticks (the runtime's old order: reads drained before the ticks
     * missed during a stall are caught up): a leader paused past its lease, while the others elected a new
     * leader and committed writes, answers the lease reads that waited for it from its stale state.
     */
    @Test
    void leaseJudgedOnCountedTicksIsCaughtUnderPauses() {
        SimVariant buggy = SimVariant.DEFAULT.withLeaseOnTicks().withFaults(SimVariant.pausedLeasingLeaders());
        long seed = firstRejectedSeed(buggy);
        SimVariant correct = SimVariant.DEFAULT.withFaults(SimVariant.pausedLeasingLeaders());
        assertDoesNotThrow(() -> new Simulation(seed, STEPS, false, correct).run(), "seed " + seed);
    }

    /** The lowest seed whose history the checker finds not linearizable; fails the test if there is none. */
    private static long firstRejectedSeed(SimVariant variant) {
        ConcurrentSkipListMap<Long, String> rejected = new ConcurrentSkipListMap<>();
        LongStream.rangeClosed(1, SEEDS).parallel().forEach(seed -> {
            if (!rejected.isEmpty() && rejected.firstKey() < seed) {
                return; // a lower seed already failed: enough
            }
            try {
                new Simulation(seed, STEPS, false, variant).run();
            } catch (AssertionError e) {
                rejected.put(seed, String.valueOf(e.getMessage()));
            }
        });
        assertTrue(!rejected.isEmpty(), "no seed in 1.." + SEEDS + " caught the planted bug");
        var first = rejected.firstEntry();
        assertNotNull(first);
        LOG.info("planted bug {} caught at seed {}: {}", variant, first.getKey(), first.getValue());
        assertTrue(
                first.getValue().contains("NOT_LINEARIZABLE"),
                () -> "seed " + first.getKey() + " failed, but not by the checker: " + first.getValue());
        return first.getKey();
    }
}
