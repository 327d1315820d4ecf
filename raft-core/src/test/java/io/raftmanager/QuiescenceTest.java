package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftmanager.transport.local.LocalNetwork;
import org.junit.jupiter.api.Test;

/**
 * Quiescence settings a {@link RaftServer} refuses. The wiring (idle groups quiet, keep-alives only, waking
 * on a write and on a dead leader's server) is checked under the simulated scheduler in raft-testkit's
 * {@code QuiescenceWiringTest}, and safety under faults in {@code MultiGroupSimulationTest}.
 */
class QuiescenceTest {
    @Test
    void quiescenceNeedsCoalescedHeartbeats() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> RaftServer.builder()
                        .nodeId(1)
                        .transport(new LocalNetwork().transport(1))
                        .quiesceIdleGroups(true)
                        .build());
        assertEquals("quiesceIdleGroups", e.field());
        InvalidConfigException tooShort = assertThrows(
                InvalidConfigException.class,
                () -> RaftServer.builder()
                        .nodeId(1)
                        .transport(new LocalNetwork().transport(1))
                        .coalesceHeartbeatsMillis(100)
                        .quiesceIdleGroups(true)
                        .nodeLivenessTimeoutMillis(150)
                        .build());
        assertEquals("nodeLivenessTimeoutMillis", tooShort.field());
    }
}
