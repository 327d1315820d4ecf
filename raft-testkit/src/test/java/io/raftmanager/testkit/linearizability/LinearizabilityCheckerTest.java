package io.raftmanager.testkit.linearizability;

import static io.raftmanager.testkit.linearizability.KvModel.Output.cas;
import static io.raftmanager.testkit.linearizability.KvModel.Output.done;
import static io.raftmanager.testkit.linearizability.KvModel.Output.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.testkit.linearizability.CheckResult.Verdict;
import io.raftmanager.testkit.linearizability.KvModel.Input;
import io.raftmanager.testkit.linearizability.KvModel.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written histories with verdicts worked out by hand. */
class LinearizabilityCheckerTest {

    private static final Duration BUDGET = Duration.ofSeconds(30);

    private static Operation<Input, Output> ok(int client, Input in, Output out, long call, long ret) {
        return Operation.ok(client, in, out, call, ret);
    }

    @SafeVarargs
    @SuppressWarnings("varargs")
    private static Verdict verdict(Operation<Input, Output>... ops) {
        return LinearizabilityChecker.check(new KvModel(), List.of(ops), BUDGET).verdict();
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertEquals(Verdict.LINEARIZABLE, verdict());
    }

    @Test
    void sequentialWritesAndReads() {
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        ok(1, KvModel.get("x"), value(null), 0, 1),
                        ok(1, KvModel.put("x", "a"), done(), 2, 3),
                        ok(2, KvModel.get("x"), value("a"), 4, 5),
                        ok(2, KvModel.append("x", "b"), done(), 6, 7),
                        ok(1, KvModel.get("x"), value("ab"), 8, 9),
                        ok(1, KvModel.delete("x"), done(), 10, 11),
                        ok(2, KvModel.get("x"), value(null), 12, 13)));
    }

    @Test
    void staleReadAfterACompletedWriteIsCaught() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(ok(1, KvModel.put("x", "1"), done(), 0, 10), ok(2, KvModel.get("x"), value(null), 20, 30)));
    }

    /**
     * A pipeline on one connection: SET x 1, SET x 2, GET x, all sent at once. Real time alone lets the two
     * writes take effect in either order; a session (Redis runs a connection's commands in order) does not,
     * so a server that applied them out of order, or served the read before them, is caught.
     */
    @Test
    void aSessionsOperationsTakeEffectInTheOrderSent() {
        Operation<Input, Output> set1 = ok(1, KvModel.put("x", "1"), done(), 0, 10);
        Operation<Input, Output> set2 = ok(1, KvModel.put("x", "2"), done(), 0, 11);
        Operation<Input, Output> readsFirst = ok(1, KvModel.get("x"), value("1"), 0, 12);
        Operation<Input, Output> readsSecond = ok(1, KvModel.get("x"), value("2"), 0, 12);
        Operation<Input, Output> readsNothing = ok(1, KvModel.get("x"), value(null), 0, 12);
        assertEquals(Verdict.LINEARIZABLE, verdict(set1, set2, readsFirst), "without a session: any order");
        assertEquals(Verdict.LINEARIZABLE, verdict(set1, set2, readsNothing), "without a session: read first");
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(set1.inSession(7), set2.inSession(7), readsFirst.inSession(7)),
                "reordered writes");
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(set1.inSession(7), set2.inSession(7), readsNothing.inSession(7)),
                "a read served before the connection's own writes");
        assertEquals(Verdict.LINEARIZABLE, verdict(set1.inSession(7), set2.inSession(7), readsSecond.inSession(7)));
        // Another client's concurrent write may still land between them.
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        set1.inSession(7),
                        set2.inSession(7),
                        readsFirst.inSession(7),
                        ok(2, KvModel.put("x", "1"), done(), 0, 12)));
    }

    @Test
    void readConcurrentWithAWriteMaySeeEitherValue() {
        Operation<Input, Output> write = ok(1, KvModel.put("x", "1"), done(), 0, 10);
        assertEquals(Verdict.LINEARIZABLE, verdict(write, ok(2, KvModel.get("x"), value(null), 5, 15)));
        assertEquals(Verdict.LINEARIZABLE, verdict(write, ok(2, KvModel.get("x"), value("1"), 5, 15)));
    }

    @Test
    void touchingIntervalsAreConcurrent() {
        // The read is called at the instant the write returns: closed intervals overlap.
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(ok(1, KvModel.put("x", "1"), done(), 0, 10), ok(2, KvModel.get("x"), value(null), 10, 20)));
    }

    @Test
    void newThenOldReadInversionIsCaught() {
        // Both reads overlap the write, but once one read saw the new value, a later read cannot see the old.
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        ok(1, KvModel.put("x", "1"), done(), 0, 100),
                        ok(2, KvModel.get("x"), value("1"), 10, 20),
                        ok(3, KvModel.get("x"), value(null), 30, 40)));
    }

    @Test
    void twoConcurrentWritesCannotBothBeLast() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        ok(1, KvModel.put("x", "a"), done(), 0, 100),
                        ok(2, KvModel.put("x", "b"), done(), 0, 100),
                        ok(3, KvModel.get("x"), value("a"), 110, 120),
                        ok(3, KvModel.get("x"), value("b"), 130, 140)));
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        ok(1, KvModel.put("x", "a"), done(), 0, 100),
                        ok(2, KvModel.put("x", "b"), done(), 0, 100),
                        ok(3, KvModel.get("x"), value("a"), 50, 60),
                        ok(3, KvModel.get("x"), value("b"), 70, 80)));
    }

    @Test
    void unknownWriteMayTakeEffectLateOrNever() {
        Operation<Input, Output> maybe = Operation.unknown(1, KvModel.put("x", "1"), 0);
        assertEquals(Verdict.LINEARIZABLE, verdict(maybe, ok(2, KvModel.get("x"), value(null), 500, 510)));
        assertEquals(Verdict.LINEARIZABLE, verdict(maybe, ok(2, KvModel.get("x"), value("1"), 500, 510)));
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        maybe,
                        ok(2, KvModel.get("x"), value(null), 500, 510),
                        ok(2, KvModel.get("x"), value("1"), 600, 610)));
    }

    @Test
    void unknownWriteOnceSeenStaysVisible() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        Operation.unknown(1, KvModel.put("x", "1"), 0),
                        ok(2, KvModel.get("x"), value("1"), 500, 510),
                        ok(2, KvModel.get("x"), value(null), 600, 610)));
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItsCall() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(ok(2, KvModel.get("x"), value("1"), 0, 10), Operation.unknown(1, KvModel.put("x", "1"), 20)));
    }

    @Test
    void failedWriteNeverTakesEffect() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        Operation.failed(1, KvModel.put("x", "1"), 0, 10),
                        ok(2, KvModel.get("x"), value("1"), 20, 30)));
    }

    @Test
    void concurrentIncrementsReturnDistinctValues() {
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        ok(1, KvModel.incr("n", 1), value("2"), 0, 10),
                        ok(2, KvModel.incr("n", 1), value("1"), 0, 10),
                        ok(3, KvModel.get("n"), value("2"), 20, 30)));
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        ok(1, KvModel.incr("n", 1), value("1"), 0, 10),
                        ok(2, KvModel.incr("n", 1), value("1"), 0, 10)));
    }

    @Test
    void unknownIncrementExplainsAJump() {
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        Operation.unknown(1, KvModel.incr("n", 5), 0),
                        ok(2, KvModel.incr("n", 1), value("6"), 10, 20)));
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        Operation.unknown(1, KvModel.incr("n", 5), 0),
                        ok(2, KvModel.incr("n", 1), value("7"), 10, 20)));
    }

    @Test
    void incrementOfANonNumberIsIllegal() {
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(ok(1, KvModel.put("n", "abc"), done(), 0, 1), ok(1, KvModel.incr("n", 1), value("1"), 2, 3)));
    }

    @Test
    void unknownOperationThatCouldNeverTakeEffectIsLeftOut() {
        // The INCR would have failed on a non-number; its unknown outcome must not make the history illegal.
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(ok(1, KvModel.put("n", "abc"), done(), 0, 1), Operation.unknown(2, KvModel.incr("n", 1), 2)));
    }

    @Test
    void onlyOneOfTwoConcurrentCasFromTheSameValueSwaps() {
        Operation<Input, Output> init = ok(1, KvModel.put("x", "0"), done(), 0, 1);
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        init,
                        ok(2, KvModel.cas("x", "0", "1"), cas(true), 10, 20),
                        ok(3, KvModel.cas("x", "0", "2"), cas(true), 10, 20)));
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        init,
                        ok(2, KvModel.cas("x", "0", "1"), cas(true), 10, 20),
                        ok(3, KvModel.cas("x", "0", "2"), cas(false), 10, 20),
                        ok(3, KvModel.get("x"), value("1"), 30, 40)));
    }

    @Test
    void casOnAnAbsentKeyAndUnknownCas() {
        assertEquals(
                Verdict.LINEARIZABLE,
                verdict(
                        ok(1, KvModel.cas("x", null, "a"), cas(true), 0, 1),
                        Operation.unknown(2, KvModel.cas("x", "a", "b"), 2),
                        ok(1, KvModel.get("x"), value("b"), 3, 4)));
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                verdict(
                        ok(1, KvModel.cas("x", null, "a"), cas(true), 0, 1),
                        Operation.unknown(2, KvModel.cas("x", "z", "b"), 2),
                        ok(1, KvModel.get("x"), value("b"), 3, 4)));
    }

    @Test
    void violationOnOneKeyIsReportedWithThatKey() {
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            history.add(ok(1, KvModel.put("x" + i, "v" + i), done(), 10L * i, 10L * i + 5));
        }
        history.add(ok(2, KvModel.put("y", "1"), done(), 100, 110));
        history.add(ok(2, KvModel.get("y"), value("2"), 120, 130));
        CheckResult result = LinearizabilityChecker.check(new KvModel(), history, BUDGET);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertTrue(result.explanation().contains("GET y -> 2"), result.explanation());
    }

    @Test
    void exhaustedBudgetGivesUnknown() {
        // Twelve concurrent writes and a read of a value never written: refuting it explores every
        // subset of the writes, far more steps than a zero budget allows.
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            history.add(ok(i, KvModel.put("x", "v" + i), done(), 0, 100));
        }
        history.add(ok(99, KvModel.get("x"), value("never"), 200, 300));
        assertEquals(
                Verdict.UNKNOWN,
                LinearizabilityChecker.check(new KvModel(), history, Duration.ZERO)
                        .verdict());
        assertEquals(
                Verdict.NOT_LINEARIZABLE,
                LinearizabilityChecker.check(new KvModel(), history, BUDGET).verdict());
    }

    @Test
    void malformedOperationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Operation.ok(1, KvModel.get("x"), value("1"), 10, 5));
        assertThrows(IllegalArgumentException.class, () -> Operation.ok(1, KvModel.get("x"), null, 0, 5));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Operation<>(
                        1, KvModel.get("x"), value("1"), 0, Long.MAX_VALUE, Operation.Outcome.UNKNOWN, 0));
    }
}
