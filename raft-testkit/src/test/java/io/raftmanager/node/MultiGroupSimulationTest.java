package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import io.raftmanager.testkit.linearizability.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-group simulator (see {@link MultiGroupSimulation}): three servers, several groups each, with
 * quiescence and node liveness on, under every fault the wire and servers have. Each seed is checked for
 * election and state machine safety per group, a linearizable history per group, convergence, quiescence
 * at rest, and re-election of every group whose leader's server dies. Properties: {@code raft.multi.seeds}
 * (default 500), {@code raft.multi.firstSeed}, {@code raft.multi.steps} (default 200 steps of 2 ms), {@code
 * raft.multi.groups} (default 3), and {@code raft.multi.seed} to replay one seed.
 */
class MultiGroupSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(MultiGroupSimulationTest.class);

    private static String problems(MultiGroupSimulation.Result r) {
        StringBuilder sb = new StringBuilder();
        r.violations().forEach(v -> sb.append(v).append('\n'));
        for (Map.Entry<Long, List<Operation<KvModel.Input, KvModel.Output>>> e :
                r.histories().entrySet()) {
            CheckResult c = LinearizabilityChecker.check(new KvModel(), e.getValue(), Duration.ofSeconds(30));
            if (!c.isLinearizable()) {
                sb.append("group ").append(e.getKey()).append(": ").append(c).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void everySeedKeepsEachGroupSafeLinearizableAndLiveWithQuiescence() {
        int steps = Integer.getInteger("raft.multi.steps", 200);
        int groups = Integer.getInteger("raft.multi.groups", 3);
        Long only = Long.getLong("raft.multi.seed");
        long first = only != null ? only : Long.getLong("raft.multi.firstSeed", 1);
        int seeds = only != null ? 1 : Integer.getInteger("raft.multi.seeds", 500);
        long start = System.nanoTime();
        long acknowledged = 0;
        long maxElection = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            MultiGroupSimulation.Result r = new MultiGroupSimulation(seed, groups, false).run(steps);
            String p = problems(r);
            if (!p.isEmpty()) {
                fail("seed " + seed + ":\n" + p + "events: " + r.events()
                        + "\n(replay: mvn -pl raft-core test -Dtest=MultiGroupSimulationTest#"
                        + "everySeedKeepsEachGroupSafeLinearizableAndLiveWithQuiescence -Draft.multi.seed=" + seed
                        + " -Draft.multi.steps=" + steps + " -Draft.multi.groups=" + groups + ")");
            }
            acknowledged += r.acknowledged();
            maxElection = Math.max(maxElection, r.maxElectionMillis());
        }
        assertTrue(acknowledged > seeds, "the clients made progress: " + acknowledged + " acknowledged writes");
        LOG.info(
                "multi-group simulation: {} seeds x {} groups x {} steps in {} ms, {} acknowledged writes, slowest"
                        + " re-election after a leader's server died {} ms (virtual)",
                seeds,
                groups,
                steps,
                (System.nanoTime() - start) / 1_000_000,
                acknowledged,
                maxElection);
    }

    @Test
    void sameSeedGivesTheSameRun() {
        MultiGroupSimulation.Result a = new MultiGroupSimulation(42, 3, false).run(200);
        MultiGroupSimulation.Result b = new MultiGroupSimulation(42, 3, false).run(200);
        assertEquals(a.events(), b.events());
        assertEquals(a.histories().toString(), b.histories().toString());
        assertEquals(a.maxElectionMillis(), b.maxElectionMillis());
    }

    /** The checks can fail: a server that never wakes groups quiesced under a dead leader is caught. */
    @Test
    void plantedFollowersThatNeverWakeForADeadLeaderAreCaught() {
        for (long seed = 1; seed <= 20; seed++) {
            MultiGroupSimulation.Result r = new MultiGroupSimulation(seed, 3, true).run(100);
            if (r.violations().stream().anyMatch(v -> v.startsWith("liveness"))) {
                LOG.info("planted never-waking followers caught at seed {}: {}", seed, r.violations());
                return;
            }
        }
        fail("followers that never wake were not caught in 20 seeds");
    }
}
