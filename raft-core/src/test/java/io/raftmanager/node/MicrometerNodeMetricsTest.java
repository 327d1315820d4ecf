package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftmanager.RaftNode;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerNodeMetricsTest {
    @Test
    void singleNodeReportsProposalsAppliesElectionsAndWrites() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LocalNetwork net = new LocalNetwork();
        try (RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1))
                .storage(MemoryLogStorage.withVoters(1))
                .transport(net.transport(1))
                .stateMachine(new CounterStateMachine())
                .metrics(MicrometerNodeMetrics.of(registry, 1, 1))
                .build()) {
            node.start();
            LocalCluster.await(
                    () -> {
                        try {
                            node.propose(ByteString.copyFromUtf8("1"))
                                    .orTimeout(5, TimeUnit.SECONDS)
                                    .join();
                            return true;
                        } catch (CompletionException e) {
                            return false;
                        }
                    },
                    Duration.ofSeconds(30),
                    "a proposal to succeed");
            for (int i = 0; i < 9; i++) {
                node.propose(ByteString.copyFromUtf8("1"))
                        .orTimeout(30, TimeUnit.SECONDS)
                        .join();
            }
            assertEquals(10, registry.get("raft.proposals").counter().count());
            assertTrue(registry.get("raft.entries.applied").counter().count() >= 10);
            assertEquals(1, registry.get("raft.elections.won").counter().count());
            assertTrue(registry.get("raft.commit.index").gauge().value() >= 11);
            assertTrue(
                    registry.get("raft.log.write").tag("sync", "true").timer().count() > 0);
            assertEquals(0, registry.get("raft.proposals.pending").gauge().value());
        }
    }
}
