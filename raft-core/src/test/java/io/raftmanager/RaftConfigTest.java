package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RaftConfigTest {
    private static RaftConfig.Builder valid() {
        return RaftConfig.builder().nodeId(1).clusterId("c").groupId(0);
    }

    private static void assertRejected(String field, UnaryOperator<RaftConfig.Builder> tweak) {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class, () -> tweak.apply(valid()).build(), "expected " + field + " rejected");
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void minimalConfigurationUsesDocumentedDefaults() {
        RaftConfig c = valid().build();
        assertEquals(1, c.nodeId());
        assertEquals("c", c.clusterId());
        assertEquals(0, c.groupId());
        assertEquals(10, c.electionTicks());
        assertEquals(RaftConfig.DEFAULT_ELECTION_TICKS, c.electionTicks());
        assertEquals(1, c.heartbeatTicks());
        assertEquals(RaftConfig.DEFAULT_HEARTBEAT_TICKS, c.heartbeatTicks());
        assertTrue(c.preVote());
        assertTrue(c.checkQuorum());
        assertEquals(256, c.maxInflightMessages());
        assertEquals(32L << 20, c.maxInflightBytes());
        assertEquals(1L << 20, c.maxMessageBytes());
        assertEquals(16L << 20, c.maxApplyBytes());
        assertEquals(100, c.learnerCatchUpMarginEntries());
    }

    @Test
    void nodeIdZeroIsRejected() {
        assertRejected("nodeId", b -> b.nodeId(0));
    }

    @Test
    void negativeNodeIdIsAccepted() {
        // Ids are uint64 on the wire: a negative Java long is a large unsigned id, not an error.
        assertEquals(-5L, valid().nodeId(-5).build().nodeId());
    }

    @Test
    void missingOrEmptyClusterIdIsRejected() {
        assertRejected("clusterId", b -> b.clusterId(null));
        assertRejected("clusterId", b -> b.clusterId(""));
        assertRejected("clusterId", b -> RaftConfig.builder().nodeId(1));
    }

    @Test
    void negativeGroupIdIsRejected() {
        assertRejected("groupId", b -> b.groupId(-1));
        assertRejected("groupId", b -> b.groupId(Long.MIN_VALUE));
    }

    @Test
    void heartbeatTicksBelowOneIsRejected() {
        assertRejected("heartbeatTicks", b -> b.heartbeatTicks(0));
        assertRejected("heartbeatTicks", b -> b.heartbeatTicks(-3));
    }

    @Test
    void electionTicksNotAboveHeartbeatTicksIsRejected() {
        assertRejected("electionTicks", b -> b.electionTicks(5).heartbeatTicks(5));
        assertRejected("electionTicks", b -> b.electionTicks(4).heartbeatTicks(5));
        assertRejected("electionTicks", b -> b.electionTicks(0));
        assertEquals(6, valid().electionTicks(6).heartbeatTicks(5).build().electionTicks());
    }

    @Test
    void electionTicksTooLargeForRandomizedTimeoutIsRejected() {
        // The randomized timeout is drawn from [electionTicks, 2 * electionTicks): it must not overflow.
        assertRejected("electionTicks", b -> b.electionTicks(Integer.MAX_VALUE));
        assertEquals(
                Integer.MAX_VALUE / 2,
                valid().electionTicks(Integer.MAX_VALUE / 2).build().electionTicks());
    }

    @Test
    void flowControlLimitsBelowOneAreRejected() {
        assertRejected("maxInflightMessages", b -> b.maxInflightMessages(0));
        assertRejected("maxInflightMessages", b -> b.maxInflightMessages(-1));
        assertRejected("maxInflightBytes", b -> b.maxInflightBytes(0));
        assertRejected("maxMessageBytes", b -> b.maxMessageBytes(0));
        assertRejected("maxMessageBytes", b -> b.maxMessageBytes(-1));
        assertRejected("maxApplyBytes", b -> b.maxApplyBytes(0));
        assertRejected("learnerCatchUpMarginEntries", b -> b.learnerCatchUpMarginEntries(-1));
    }

    @Test
    void firstInvalidFieldIsNamedWhenSeveralAreInvalid() {
        assertRejected("nodeId", b -> b.nodeId(0).clusterId("").heartbeatTicks(0));
    }

    @Test
    void recordConstructorValidatesLikeTheBuilder() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> new RaftConfig(
                        1,
                        "c",
                        0,
                        10,
                        1,
                        true,
                        true,
                        0,
                        1,
                        1,
                        1,
                        2,
                        100,
                        1,
                        1,
                        0,
                        1,
                        1,
                        1,
                        0,
                        SnapshotConfig.DEFAULTS,
                        true));
        assertEquals("maxInflightMessages", e.field());
    }

    @Test
    void toBuilderRoundTripsEveryField() {
        RaftConfig c = RaftConfig.builder()
                .nodeId(7)
                .clusterId("prod")
                .groupId(42)
                .electionTicks(23)
                .heartbeatTicks(4)
                .preVote(false)
                .checkQuorum(false)
                .maxInflightMessages(3)
                .maxInflightBytes(4096)
                .maxMessageBytes(512)
                .maxApplyBytes(2048)
                .storageRecovery(false)
                .build();
        assertEquals(c, c.toBuilder().build());
        assertFalse(c.toBuilder().build().storageRecovery());
        assertFalse(c.toBuilder().build().preVote());
        RaftConfig changed = c.toBuilder().groupId(43).build();
        assertNotEquals(c, changed);
        assertEquals(c, changed.toBuilder().groupId(42).build());
    }

    @Test
    void toBuilderResultIsValidatedAgain() {
        RaftConfig c = valid().build();
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> c.toBuilder().heartbeatTicks(10).build());
        assertEquals("electionTicks", e.field());
    }
}
