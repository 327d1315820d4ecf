package io.raftmanager.examples.jepsen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The expiry check and the pair transactions' torn reads, on hand-made histories. */
class ExpiryCheckTest {
    private static final long MS = 1_000_000L;
    private static final String KEY = "e-p1-1-t100";

    private static Op write(Outcome outcome) {
        return new Op(1, Kind.SET, KEY, "p1-1", null, outcome, null, 1, 0, 10 * MS, null);
    }

    private static Op read(int process, long invokeMs, long completeMs, String result) {
        return new Op(process, Kind.GET, KEY, null, null, Outcome.OK, result, 1, invokeMs * MS, completeMs * MS, null);
    }

    @Test
    void aKeyReadAfterItsTtlMustBeAbsent() {
        assertTrue(ExpiryCheck.check(List.of(write(Outcome.OK), read(2, 200, 201, null)), Set.of(2))
                .passed());
        assertFalse(ExpiryCheck.check(List.of(write(Outcome.OK), read(2, 200, 201, "p1-1")), Set.of(2))
                .passed());
        // Within the ttl plus margin after the write completed, either answer is allowed.
        assertTrue(ExpiryCheck.check(List.of(write(Outcome.OK), read(2, 60, 200, "p1-1")), Set.of(2))
                .passed());
    }

    @Test
    void aLinearizableReadBeforeTheTtlMustFindTheKey() {
        assertTrue(ExpiryCheck.check(List.of(write(Outcome.OK), read(2, 20, 30, "p1-1")), Set.of(2))
                .passed());
        assertFalse(ExpiryCheck.check(List.of(write(Outcome.OK), read(2, 20, 30, null)), Set.of(2))
                .passed());
        assertTrue(
                ExpiryCheck.check(List.of(write(Outcome.OK), read(3, 20, 30, null)), Set.of(2))
                        .passed(),
                "a stale-mode reader may not have the write yet");
    }

    @Test
    void aFailedWriteIsNeverRead() {
        assertFalse(ExpiryCheck.check(List.of(write(Outcome.FAIL), read(2, 20, 30, "p1-1")), Set.of(2))
                .passed());
        assertTrue(ExpiryCheck.check(List.of(write(Outcome.UNKNOWN), read(2, 500, 501, "p1-1")), Set.of(2))
                .passed());
    }

    @Test
    void aTornPairReadIsNotLinearizable() {
        Op w = new Op(1, Kind.SET, "t0g0", "p1-1", null, Outcome.OK, "OK", 1, 0, 10, null);
        Op ok = new Op(2, Kind.GET, "t0g0", null, null, Outcome.OK, "p1-1", 1, 20, 30, null);
        Op torn = new Op(2, Kind.GET, "t0g0", null, null, Outcome.OK, "torn[p1-1, null]", 1, 20, 30, null);
        assertTrue(LinearizabilityChecker.check(
                        new KvModel(), Linearizability.toOperations(List.of(w, ok)), Duration.ofSeconds(10))
                .isLinearizable());
        assertFalse(LinearizabilityChecker.check(
                        new KvModel(), Linearizability.toOperations(List.of(w, torn)), Duration.ofSeconds(10))
                .isLinearizable());
    }
}
