package io.raftmanager.metrics.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftmanager.StateMachine;
import io.raftmanager.testkit.SimCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The binder's meters, fed by a real three-node cluster under the testkit's simulated scheduler. */
class MicrometerNodeMetricsTest {

    /** Counts applied commands. */
    static final class Count implements StateMachine {
        private long n;

        @Override
        public ByteString apply(long index, ByteString command) {
            return ByteString.copyFromUtf8(Long.toString(++n));
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(Long.toString(n));
        }

        @Override
        public void close() {}
    }

    @Test
    void reportsProposalsAppliesElectionsWritesAndReplicationLag() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SimCluster cluster = SimCluster.builder()
                .stateMachine(id -> new Count())
                .metrics(id -> MicrometerNodeMetrics.of(registry, 1, id))
                .build()) {
            long leader = cluster.awaitLeader();
            String node = Long.toString(leader);
            for (int i = 0; i < 10; i++) {
                cluster.await(cluster.node(leader).propose(ByteString.copyFromUtf8("+")), Duration.ofSeconds(5))
                        .join();
            }
            long follower = cluster.ids().stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            cluster.isolate(follower);
            for (int i = 0; i < 5; i++) {
                cluster.await(cluster.node(leader).propose(ByteString.copyFromUtf8("+")), Duration.ofSeconds(5))
                        .join();
            }
            cluster.runFor(Duration.ofMillis(100));

            assertEquals(
                    15,
                    registry.get("raft.proposals").tag("node", node).counter().count());
            assertTrue(registry.get("raft.entries.applied")
                            .tag("node", node)
                            .counter()
                            .count()
                    >= 15);
            assertEquals(
                    1,
                    registry.get("raft.elections.won")
                            .tag("node", node)
                            .counter()
                            .count());
            assertTrue(
                    registry.get("raft.commit.index").tag("node", node).gauge().value() >= 16);
            assertTrue(registry.get("raft.log.write")
                            .tag("node", node)
                            .tag("sync", "true")
                            .timer()
                            .count()
                    > 0);
            assertTrue(registry.get("raft.apply").tag("node", node).timer().count() > 0);
            assertEquals(
                    0,
                    registry.get("raft.proposals.pending")
                            .tag("node", node)
                            .gauge()
                            .value());
            // The isolated follower is behind by the five entries it missed; the other has caught up.
            double lag = registry.get("raft.replication.lag")
                    .tag("node", node)
                    .tag("peer", Long.toString(follower))
                    .gauge()
                    .value();
            assertTrue(lag >= 5, "lag " + lag);
            long other = cluster.ids().stream()
                    .filter(id -> id != leader && id != follower)
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    0,
                    registry.get("raft.replication.lag")
                            .tag("node", node)
                            .tag("peer", Long.toString(other))
                            .gauge()
                            .value());
            // The percentile buckets show in a Prometheus scrape: raft-examples' AdminServerTest checks them.
        }
    }
}
