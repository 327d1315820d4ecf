package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.raftmanager.proto.Membership;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which digest a quorum agrees on at a marker: a majority of every half of the configuration. */
class DigestQuorumTest {
    private static final Membership JOINT = Membership.newBuilder()
            .addAllVoters(List.of(4L, 5L, 6L))
            .addAllVotersOutgoing(List.of(1L, 2L, 3L))
            .build();

    /**
     * Issue 17: two incoming voters alone (a majority of C_new) must not brand the whole outgoing half
     * diverged. When the incoming voters' count alone decided, digest 7 won here and servers 1-3 were told
     * they diverged.
     */
    @Test
    void aMajorityOfTheIncomingHalfAloneDecidesNothingInAJointConfiguration() {
        Map<Long, Long> reported = Map.of(4L, 7L, 5L, 7L, 1L, 9L, 2L, 9L, 3L, 9L);
        assertNull(ConsistencyVerifier.agreedDigest(JOINT, reported));
    }

    @Test
    void aDigestWithAMajorityOfBothHalvesIsAgreed() {
        Map<Long, Long> reported = Map.of(4L, 7L, 5L, 7L, 1L, 7L, 2L, 7L, 3L, 9L, 6L, 9L);
        assertEquals(7L, ConsistencyVerifier.agreedDigest(JOINT, reported));
    }

    @Test
    void inASimpleConfigurationAMajorityOfVotersDecidesAndLearnersDoNotCount() {
        Membership m = Membership.newBuilder()
                .addAllVoters(List.of(1L, 2L, 3L))
                .addLearners(4)
                .build();
        assertNull(ConsistencyVerifier.agreedDigest(m, Map.of(1L, 7L, 4L, 7L)));
        assertEquals(7L, ConsistencyVerifier.agreedDigest(m, Map.of(1L, 7L, 2L, 7L, 3L, 9L)));
    }
}
