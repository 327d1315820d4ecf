package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault simulator over the real runtime (see {@link EngineSimulation}): many seeds, each checked for
 * election safety, state machine safety, convergence and a linearizable client history. Properties:
 * {@code raft.engine.seeds} (default 500), {@code raft.engine.firstSeed}, {@code raft.engine.steps}
 * (default 1500 steps of 2 ms), and {@code raft.engine.seed} to replay one seed.
 */
class EngineSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSimulationTest.class);

    private static CheckResult check(EngineSimulation.Result r) {
        return LinearizabilityChecker.check(new KvModel(), r.history(), Duration.ofSeconds(30));
    }

    @Test
    void everySeedKeepsRaftsSafetyPropertiesAndALinearizableHistory() {
        int steps = Integer.getInteger("raft.engine.steps", 1500);
        Long only = Long.getLong("raft.engine.seed");
        long first = only != null ? only : Long.getLong("raft.engine.firstSeed", 1);
        int seeds = only != null ? 1 : Integer.getInteger("raft.engine.seeds", 500);
        long start = System.nanoTime();
        long ops = 0;
        long acknowledged = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            EngineSimulation.Result r = new EngineSimulation(seed, false).run(steps);
            String replay =
                    " (replay: mvn -pl raft-testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=EngineSimulationTest#everySeedKeepsRaftsSafetyPropertiesAndALinearizableHistory"
                            + " -Draft.engine.seed=" + seed + " -Draft.engine.steps=" + steps + ")";
            if (!r.violations().isEmpty()) {
                fail("seed " + seed + ": " + r.violations() + "\nevents: " + r.events() + replay);
            }
            assertEquals(
                    1,
                    r.finalStates().values().stream().distinct().count(),
                    "seed " + seed + ": servers did not converge: " + r.finalStates() + "\nevents: "
                            + r.events()
                                    .subList(
                                            Math.max(0, r.events().size() - 20),
                                            r.events().size()) + replay);
            CheckResult c = check(r);
            if (!c.isLinearizable()) {
                fail("seed " + seed + ": " + c + "\nevents: " + r.events() + replay);
            }
            ops += r.history().size();
            acknowledged += r.acknowledged();
        }
        assertTrue(acknowledged > seeds, "the clients made progress: " + acknowledged + " acknowledged writes");
        LOG.info(
                "engine simulation: {} seeds x {} steps in {} ms, {} client operations, {} acknowledged writes",
                seeds,
                steps,
                (System.nanoTime() - start) / 1_000_000,
                ops,
                acknowledged);
    }

    @Test
    void sameSeedGivesTheSameHistory() {
        EngineSimulation.Result a = new EngineSimulation(42, false).run(600);
        EngineSimulation.Result b = new EngineSimulation(42, false).run(600);
        assertEquals(a.events(), b.events());
        assertEquals(a.history().toString(), b.history().toString());
        assertEquals(a.finalStates(), b.finalStates());
    }

    /** The checks can fail: reads served from local state without confirming leadership are caught. */
    @Test
    void staleReadsPlantedAsLinearizableAreCaught() {
        for (long seed = 1; seed <= 200; seed++) {
            EngineSimulation.Result r = new EngineSimulation(seed, true).run(1500);
            if (!check(r).isLinearizable()) {
                LOG.info("planted stale reads caught at seed {}", seed);
                return;
            }
        }
        fail("stale reads were never caught in 200 seeds");
    }

    @Test
    void clientsSeeEveryKindOfOutcome() {
        EngineSimulation.Result r = new EngineSimulation(7, false).run(1500);
        List<String> outcomes = r.history().stream()
                .map(o -> o.outcome().name())
                .distinct()
                .sorted()
                .toList();
        assertTrue(outcomes.contains("OK"), "outcomes " + outcomes);
    }
}
