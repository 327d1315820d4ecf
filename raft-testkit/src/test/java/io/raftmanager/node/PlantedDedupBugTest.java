package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.raftmanager.ClientSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planted-bug demonstration for sessions: with deduplication switched off (a test-only switch), a
 * retried INCR is applied twice, and the exactly-once check below catches it; with it on, the same run
 * passes the check.
 */
class PlantedDedupBugTest {
    /** Runs INCR 1 as sequence 1, retries it twice, then INCR 1 as sequence 2; returns every server whose counter is not 2. */
    private static List<String> exactlyOnceViolations(boolean plantBug) {
        List<String> violations = new ArrayList<>();
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 21, b -> b.digestIntervalTicks(0))) {
            if (plantBug) {
                c.nodes.values().forEach(n -> n.commandsForTest().sessions().disableDedupForTest());
            }
            long leader = c.awaitLeader(3_000);
            ClientSession s =
                    c.await(c.nodes.get(leader).registerSession(), 2_000).join();
            ByteString incr = ByteString.copyFromUtf8("1");
            long seq = s.nextSequence();
            for (int attempt = 0; attempt < 3; attempt++) {
                c.await(s.propose(incr, seq), 2_000).join();
            }
            c.await(s.propose(incr), 2_000).join();
            c.runFor(300);
            for (long id : c.nodes.keySet()) {
                if (c.value(id) != 2) {
                    violations.add("server " + id + " counted " + c.value(id) + " for two INCRs");
                }
            }
        }
        return violations;
    }

    @Test
    void withDeduplicationEveryServerCountsEachSequenceOnce() {
        assertEquals(List.of(), exactlyOnceViolations(false));
    }

    @Test
    void theCheckCatchesARetriedIncrAppliedTwiceWhenDeduplicationIsOff() {
        assertEquals(
                List.of(
                        "server 1 counted 4 for two INCRs",
                        "server 2 counted 4 for two INCRs",
                        "server 3 counted 4 for two INCRs"),
                exactlyOnceViolations(true));
    }
}
