package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the deterministic simulator over many seeds. System properties: {@code raft.sim.seeds} (count,
 * default 500), {@code raft.sim.firstSeed} (default 1), {@code raft.sim.steps} (default 2000), and {@code
 * raft.sim.seed} to replay a single seed. A failure prints the one-line command that replays it.
 */
class SimulatorTest {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorTest.class);

    private static int steps() {
        return Integer.getInteger("raft.sim.steps", 2000);
    }

    @Test
    void safetyAndLivenessHoldAcrossSeeds() {
        String one = System.getProperty("raft.sim.seed");
        long first = one != null ? Long.parseLong(one) : Long.getLong("raft.sim.firstSeed", 1L);
        int count = one != null ? 1 : Integer.getInteger("raft.sim.seeds", 500);
        int steps = steps();
        ConcurrentLinkedQueue<SimStats> all = new ConcurrentLinkedQueue<>();
        ConcurrentSkipListMap<Long, Throwable> failures = new ConcurrentSkipListMap<>();
        long start = System.nanoTime();
        // Stops scheduling new seeds after the first failure: a broken build should fail fast, not spend
        // minutes failing every remaining seed.
        LongStream.range(first, first + count).parallel().forEach(seed -> {
            if (!failures.isEmpty()) {
                return;
            }
            Simulation sim = new Simulation(seed, steps, false);
            try {
                sim.run();
                all.add(sim.stats);
            } catch (AssertionError | RuntimeException e) {
                failures.put(seed, e);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        SimStats total = new SimStats();
        all.forEach(total::add);
        LOG.info(
                "simulated {} seeds x {} steps in {} s ({} steps/s): {}",
                count,
                steps,
                String.format("%.1f", seconds),
                String.format("%.0f", count * (double) (steps + Simulation.HEAL_STEPS) / seconds),
                total);
        if (!failures.isEmpty()) {
            Map.Entry<Long, Throwable> firstFailure = failures.firstEntry();
            fail(describeFailure(firstFailure.getKey(), steps, firstFailure.getValue()));
        }
        if (count >= 100) {
            // The faults must actually have happened, or a green run proves nothing.
            assertTrue(
                    total.crashes > 0 && total.partitions > 0 && total.pauses > 0 && total.slowDisks > 0,
                    total::toString);
            assertTrue(total.dropped > 0 && total.duplicated > 0 && total.truncations > 0, total::toString);
            assertTrue(total.acknowledged > 0 && total.leaderTerms > count, total::toString);
            assertTrue(total.readsServed > 0, total::toString);
            assertEquals(SimDiskFault.values().length, total.diskFaultsByKind.size(), total.diskFaultsByKind::toString);
            // Liveness was demanded of clusters with voters still recovering, not only of intact ones.
            assertTrue(total.healsWithRecoveringVoters > 0, total::toString);
            assertTrue(
                    total.membershipChanges > 0
                            && total.refusedChanges > 0
                            && total.transfers > 0
                            && total.leaderRemovals > 0,
                    total::toString);
            assertTrue(
                    total.snapshotsTaken > 0
                            && total.compactions > 0
                            && total.snapshotsSent > 0
                            && total.snapshotsInstalled > 0,
                    total::toString);
        }
    }

    /**
     * Voters added after bootstrap (their disks held no configuration) that then lose their disk, most
     * often wholly: a wiped joiner comes back blank, as a new server would, and must neither vote before
     * it has caught up nor cost an acknowledged write (docs/storage-faults.md, "A wiped joiner").
     * {@code raft.sim.joinerSeeds} sets the count (default 200).
     */
    @Test
    void wipedJoinersKeepEveryAcknowledgedWrite() {
        int count = Integer.getInteger("raft.sim.joinerSeeds", 200);
        int steps = steps();
        ConcurrentLinkedQueue<SimStats> all = new ConcurrentLinkedQueue<>();
        ConcurrentSkipListMap<Long, Throwable> failures = new ConcurrentSkipListMap<>();
        LongStream.rangeClosed(1, count).parallel().forEach(seed -> {
            if (!failures.isEmpty()) {
                return;
            }
            Simulation sim = new Simulation(seed, steps, false, SimVariant.JOINERS);
            try {
                sim.run();
                all.add(sim.stats);
            } catch (AssertionError | RuntimeException e) {
                failures.put(seed, e);
            }
        });
        SimStats total = new SimStats();
        all.forEach(total::add);
        LOG.info("joiner runs, {} seeds: {}", count, total);
        if (!failures.isEmpty()) {
            Map.Entry<Long, Throwable> f = failures.firstEntry();
            fail("seed " + f.getKey() + " (SimVariant.JOINERS): " + f.getValue());
        }
        if (count >= 100) {
            assertTrue(total.wipedJoiners > 0 && total.healsWithRecoveringVoters > 0, total::toString);
        }
    }

    @Test
    void sameSeedGivesSameHistory() {
        for (long seed : new long[] {3, 42, 1234}) {
            Simulation a = new Simulation(seed, 1500, false);
            a.run();
            Simulation b = new Simulation(seed, 1500, false);
            b.run();
            assertEquals(a.digest(), b.digest(), "seed " + seed + " diverged between two runs");
            assertEquals(a.stats.toString(), b.stats.toString());
        }
        assertTrue(new Simulation(3, 1500, false).options() != null);
    }

    private static String describeFailure(long seed, int steps, Throwable e) {
        // Replaying the seed with event recording on gives the recent history for the report.
        Simulation replay = new Simulation(seed, steps, true);
        try {
            replay.run();
        } catch (AssertionError | RuntimeException ignored) {
            // expected: it fails the same way
        }
        StringBuilder sb = new StringBuilder();
        sb.append("seed=").append(seed).append(": ").append(e).append('\n');
        for (StackTraceElement el : e.getStackTrace()) {
            if (el.getClassName().startsWith("io.raftmanager")) {
                sb.append("    at ").append(el).append('\n');
            }
        }
        sb.append("options: ").append(replay.options()).append('\n');
        sb.append("recent events:\n");
        List<String> events = replay.recentEvents();
        for (String ev :
                events.subList(Math.max(0, events.size() - Integer.getInteger("raft.sim.events", 30)), events.size())) {
            sb.append("  ").append(ev).append('\n');
        }
        sb.append(
                        "replay: mvn -o -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=SimulatorTest#safetyAndLivenessHoldAcrossSeeds -Draft.sim.seed=")
                .append(seed)
                .append(" -Draft.sim.steps=")
                .append(steps)
                .append('\n');
        return sb.toString();
    }
}
