package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-in: runs every seed of a range in one fault mode and reports each failing seed, safety or liveness
 * (unlike {@link SimulatorTest}, which stops at the first), so two builds can be compared seed by seed.
 * {@code -Draft.scan.mode=DEFAULT|JOINERS|JOINERS_ISOLATED|DISK|ISOLATED|LEASE_ISOLATED|LEASE_PAUSED}, {@code
 * -Draft.scan.first} (default 1), {@code -Draft.scan.count} (default 2000), {@code -Draft.sim.steps};
 * {@code -Draft.scan.storageBug} plants a {@link SimVariant.StorageBug}; with one seed, {@code -Draft.scan.events=true -Draft.sim.events=N} prints its last N events.
 */
@EnabledIfSystemProperty(named = "raft.scan.mode", matches = ".+")
class SeedRangeScanTest {
    private static final Logger LOG = LoggerFactory.getLogger(SeedRangeScanTest.class);

    static SimVariant variant(String mode) {
        return switch (mode) {
            case "DEFAULT" -> SimVariant.DEFAULT;
            case "JOINERS" -> SimVariant.JOINERS;
            case "DISK" -> SimVariant.DEFAULT.withFaults(SimVariant.diskFaults());
            case "ISOLATED" -> SimVariant.ISOLATED;
            case "JOINERS_ISOLATED" -> SimVariant.JOINERS_ISOLATED;
            case "LEASE_ISOLATED" -> SimVariant.DEFAULT.withFaults(SimVariant.isolatedLeasingLeaders());
            case "LEASE_PAUSED" -> SimVariant.DEFAULT.withFaults(SimVariant.pausedLeasingLeaders());
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    @Test
    void everySeedOfTheRangeHolds() {
        String mode = System.getProperty("raft.scan.mode");
        SimVariant variant = variant(mode)
                .withStorageBug(SimVariant.StorageBug.valueOf(System.getProperty("raft.scan.storageBug", "NONE")));
        long first = Long.getLong("raft.scan.first", 1);
        int count = Integer.getInteger("raft.scan.count", 2000);
        int steps = Integer.getInteger("raft.sim.steps", 2000);
        Map<Long, String> failures = new ConcurrentSkipListMap<>();
        LongStream.range(first, first + count).parallel().forEach(seed -> {
            try {
                new Simulation(seed, steps, false, variant).run();
            } catch (AssertionError | RuntimeException e) {
                String msg = String.valueOf(e.getMessage());
                String kind =
                        msg.startsWith("liveness") ? "LIVENESS " : e instanceof AssertionError ? "SAFETY " : "ERROR ";
                StringBuilder where = new StringBuilder();
                for (StackTraceElement el : e.getStackTrace()) {
                    if (count == 1 && el.getClassName().startsWith("io.raftmanager")) {
                        where.append("\n    at ").append(el);
                    }
                }
                failures.put(seed, kind + e + where);
            }
        });
        Map<Long, String> sorted = new TreeMap<>(failures);
        if (Boolean.getBoolean("raft.scan.events") && count == 1 && !sorted.isEmpty()) {
            Simulation replay = new Simulation(first, steps, true, variant);
            try {
                replay.run();
            } catch (AssertionError | RuntimeException expected) {
                // it fails the same way; the events lead up to it
            }
            LOG.info("events of seed {}:\n{}", first, String.join("\n", replay.recentEvents()));
        }
        StringBuilder sb = new StringBuilder();
        sorted.forEach((seed, what) -> sb.append("\n  seed ")
                .append(seed)
                .append(": ")
                .append(what, 0, Math.min(what.length(), count == 1 ? what.length() : 400)));
        LOG.info("scan {} seeds {}..{}: {} failing{}", mode, first, first + count - 1, sorted.size(), sb);
        assertTrue(sorted.isEmpty(), "failing seeds in " + mode + ": " + sorted.keySet() + sb);
    }
}
