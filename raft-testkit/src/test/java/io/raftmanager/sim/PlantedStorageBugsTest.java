package io.raftmanager.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.raftmanager.sim.SimVariant.StorageBug;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planted storage-recovery bugs the simulator must catch (docs/storage-faults.md): with the bug on,
 * some seed of a fixed range breaks a safety property in runs where crashes damage disks; the same seed
 * with the bug off passes, which shows the bug, not the harness, made the difference.
 */
class PlantedStorageBugsTest {
    private static final Logger LOG = LoggerFactory.getLogger(PlantedStorageBugsTest.class);
    private static final int STEPS = 2000;
    private static final long SEEDS = 400;

    /** A wiped or damaged server votes at once: a quorum forgets acknowledged writes. */
    @Test
    void wipedServerVotingAtOnceIsCaught() {
        assertCaught(StorageBug.VOTE_AT_ONCE);
    }

    /** A corrupt record truncates the log without a reported loss: the server votes on a truncated log. */
    @Test
    void silentTruncationIsCaught() {
        assertCaught(StorageBug.SILENT_TRUNCATION);
    }

    /** A failed fsync is retried and the write counted durable (PostgreSQL's fsyncgate): acks it does not hold. */
    @Test
    void retriedFsyncIsCaught() {
        assertCaught(StorageBug.FSYNC_RETRY);
    }

    /**
     * A voter that joined after bootstrap and lost its disk comes back blank, with no configuration, and
     * votes as a new server would: it elects a candidate missing writes it had acknowledged.
     */
    @Test
    void blankJoinerVotingIsCaught() {
        // Seeds 1..20000 catch it as a safety violation at 418, 873, 3999, 4454, 4532, 4809, 5143, ... (22
        // seeds; SeedRangeScanTest with -Draft.scan.storageBug=BLANK_JOINER_VOTES lists them).
        assertCaught(StorageBug.BLANK_JOINER_VOTES, SimVariant.JOINERS, 3801);
    }

    /**
     * A voter that lost its log recovers with its bootstrap configuration and hears only its voters: it
     * elects a candidate missing an entry committed under a later configuration (JOINERS seeds 1523 and
     * 1707 before the fix; with the fix in place, seeds 1..20000 catch the planted bug at 6198, 10157 and 11344, with
     * -Draft.scan.storageBug=STALE_CONFIGURATION).
     */
    @Test
    void staleConfigurationIsCaught() {
        assertCaught(StorageBug.STALE_CONFIGURATION, SimVariant.JOINERS, 6001);
    }

    /**
     * A recovering server answers a leader before it knows the voters' terms: a leader cut off since a later
     * term began, which the server forgot, commits with its acknowledgements over entries that later term
     * committed (ISOLATED seeds 644 and 2936 before the fix). Since leaders no longer re-send a probe at
     * once on a refusal at or below the match index, ISOLATED 1..12000 no longer catch the planted bug;
     * JOINERS_ISOLATED 1..6000 catch it at 1938 (-Draft.scan.mode=JOINERS_ISOLATED
     * -Draft.scan.storageBug=ANSWER_LEADERS_AT_ONCE).
     */
    @Test
    void answeringLeadersBeforeTheTermsAreKnownIsCaught() {
        assertCaught(StorageBug.ANSWER_LEADERS_AT_ONCE, SimVariant.JOINERS_ISOLATED, 1801);
    }

    private static void assertCaught(StorageBug bug) {
        assertCaught(bug, SimVariant.DEFAULT.withFaults(SimVariant.diskFaults()), 1);
    }

    /**
     * Some seed from {@code firstSeed} on fails the buggy variant on safety, and the correct variant passes
     * that seed. A seed failing on liveness is skipped: the fault schedule can leave a group without a
     * quorum it may use (a voter of a two-voter configuration that lost its disk), whatever the bug.
     */
    private static void assertCaught(StorageBug bug, SimVariant correct, long firstSeed) {
        SimVariant buggy = correct.withStorageBug(bug);
        ConcurrentSkipListMap<Long, String> failed = new ConcurrentSkipListMap<>();
        LongStream.range(firstSeed, firstSeed + SEEDS).parallel().forEach(seed -> {
            if (!failed.isEmpty() && failed.firstKey() < seed) {
                return;
            }
            try {
                new Simulation(seed, STEPS, false, buggy).run();
            } catch (AssertionError e) {
                String message = String.valueOf(e.getMessage());
                if (!message.startsWith("liveness")) {
                    failed.put(seed, message);
                }
            }
        });
        assertFalse(
                failed.isEmpty(),
                "no seed in " + firstSeed + ".." + (firstSeed + SEEDS - 1) + " caught " + bug
                        + " as a safety violation");
        var first = failed.firstEntry();
        LOG.info("planted {} caught at seed {}: {}", bug, first.getKey(), first.getValue());
        assertDoesNotThrow(() -> new Simulation(first.getKey(), STEPS, false, correct).run(), "seed " + first.getKey());
    }
}
