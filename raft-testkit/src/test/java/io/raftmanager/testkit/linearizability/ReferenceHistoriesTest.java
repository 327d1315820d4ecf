package io.raftmanager.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.testkit.linearizability.CheckResult.Verdict;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checker reaches the published verdict on every reference history: 102 Jepsen etcd register
 * histories (23 linearizable, 79 not) and Porcupine's key-value histories with 1, 10 and 50 clients.
 */
class ReferenceHistoriesTest {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceHistoriesTest.class);

    /** Far above the measured worst case (see the log line of each history), so a verdict is always reached. */
    private static final Duration BUDGET = Duration.ofSeconds(20);

    @TestFactory
    Stream<DynamicTest> jepsenEtcdHistoriesGetTheirKnownVerdicts() {
        return ReferenceHistories.jepsenEtcd().stream()
                .map(h -> DynamicTest.dynamicTest(
                        h.name(),
                        () -> assertVerdict(
                                h.name(), h.linearizable(), h.history().size(), h.history())));
    }

    @ParameterizedTest
    @CsvSource({
        "c01-ok.txt.gz, true",
        "c01-bad.txt.gz, false",
        "c10-ok.txt.gz, true",
        "c10-bad.txt.gz, false",
        "c50-ok.txt.gz, true",
        "c50-bad.txt.gz, false"
    })
    void kvHistoriesGetTheirKnownVerdicts(String resource, boolean linearizable) {
        var history = ReferenceHistories.parseKv(resource);
        assertTrue(history.size() > 30, "parsed " + history.size() + " operations");
        assertVerdict(resource, linearizable, history.size(), history);
    }

    private static void assertVerdict(
            String name,
            boolean linearizable,
            int size,
            java.util.List<Operation<KvModel.Input, KvModel.Output>> history) {
        CheckResult result = LinearizabilityChecker.check(new KvModel(), history, BUDGET);
        LOG.info(
                "{}: {} operations, {} in {} ms",
                name,
                size,
                result.verdict(),
                result.elapsed().toMillis());
        assertEquals(
                linearizable ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE, result.verdict(), result::toString);
    }
}
