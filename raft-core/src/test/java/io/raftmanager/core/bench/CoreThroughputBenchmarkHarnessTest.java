package io.raftmanager.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.Role;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link CoreThroughputBenchmark}'s operations without JMH and checks that they do real work: every
 * proposed entry commits and is applied on all three servers. Guards against a harness that silently
 * measures nothing. No timing here.
 */
class CoreThroughputBenchmarkHarnessTest {
    private static final int OPS = 300;

    private final CoreThroughputBenchmark bench = new CoreThroughputBenchmark();
    private long noOps;

    @BeforeEach
    void setUp() {
        bench.setup();
        assertEquals(Role.LEADER, bench.leader.raft.role());
        assertEquals(1, bench.leader.id);
        for (int id = 2; id <= 3; id++) {
            assertEquals(Role.FOLLOWER, bench.cluster.node(id).raft.role());
            assertEquals(1, bench.cluster.node(id).raft.leaderId());
        }
        // The election leaves only the leader's no-op in the log, applied everywhere.
        noOps = bench.leader.raft.log().lastIndex();
        for (int id = 1; id <= 3; id++) {
            assertEquals(
                    noOps,
                    bench.cluster.node(id).appliedIndex,
                    bench.cluster.node(id).raft.status().toString());
            assertEquals(0, bench.cluster.node(id).appliedNormal);
        }
    }

    @Test
    void unbatchedCommitsAndAppliesEachEntryOnTheLeaderBeforeReturning() {
        for (int i = 1; i <= OPS; i++) {
            long index = bench.unbatched();
            assertEquals(noOps + i, index);
            assertEquals(index, bench.leader.raft.log().committed());
            assertEquals(index, bench.leader.appliedIndex);
            assertEquals(i, bench.leader.appliedNormal);
        }
        assertAllApplied(OPS);
    }

    @Test
    void batchedCommitsAndAppliesWholeBatchesOnTheLeaderBeforeReturning() {
        for (int i = 1; i <= OPS; i++) {
            long index = bench.batched();
            assertEquals(noOps + (long) i * CoreThroughputBenchmark.BATCH, index);
            assertEquals(index, bench.leader.appliedIndex);
        }
        assertAllApplied((long) OPS * CoreThroughputBenchmark.BATCH);
    }

    @Test
    void pipelinedCommitsWithABoundedLag() {
        long maxLag = 0;
        for (int i = 1; i <= OPS; i++) {
            long index = bench.pipelined();
            assertEquals(noOps + i, index);
            maxLag = Math.max(maxLag, index - bench.leader.appliedIndex);
            assertTrue(bench.cluster.inFlight() < 100, "messages pile up: " + bench.cluster.inFlight());
        }
        // Proposals do not wait for commits, but commits keep up: the lag stays a few entries.
        assertTrue(maxLag >= 1 && maxLag < 10, "lag " + maxLag);
        assertTrue(bench.leader.appliedNormal > OPS - 10, "leader applied only " + bench.leader.appliedNormal);
        assertAllApplied(OPS);
    }

    @Test
    void compactionKeepsTheLogsShortOverALongRun() {
        int ops = (int) (3 * BenchCluster.COMPACT_THRESHOLD / CoreThroughputBenchmark.BATCH);
        for (int i = 0; i < ops; i++) {
            bench.batched();
        }
        assertAllApplied((long) ops * CoreThroughputBenchmark.BATCH);
        for (int id = 1; id <= 3; id++) {
            var s = bench.cluster.node(id).storage;
            assertTrue(s.firstIndex() > BenchCluster.COMPACT_THRESHOLD, "node " + id + " never compacted");
            assertTrue(s.lastIndex() - s.firstIndex()
                    < 2 * (BenchCluster.COMPACT_THRESHOLD + BenchCluster.COMPACT_MARGIN));
        }
    }

    /** Settles the cluster the way the benchmark does between iterations, then checks every server. */
    private void assertAllApplied(long commands) {
        bench.settleAndCheck();
        long last = noOps + commands;
        assertEquals(last, bench.leader.raft.log().lastIndex());
        for (int id = 1; id <= 3; id++) {
            BenchCluster.Node n = bench.cluster.node(id);
            assertEquals(last, n.raft.log().committed(), "commit on node " + id);
            assertEquals(last, n.raft.log().applied(), "core's applied index on node " + id);
            assertEquals(last, n.appliedIndex, "applied on node " + id);
            assertEquals(commands, n.appliedNormal, "commands applied on node " + id);
            assertEquals(commands * CoreThroughputBenchmark.COMMAND_BYTES, n.appliedBytes, "bytes on node " + id);
            assertEquals(last, n.storage.lastIndex(), "durable log on node " + id);
        }
    }
}
