package io.raftmanager.examples.jepsen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FinalStateChecksTest {
    private static Op set(String key, String value, Outcome outcome) {
        return new Op(1, Kind.SET, key, value, null, outcome, null, 1, 0, 1, null);
    }

    private static Op incr(Outcome outcome, String result) {
        return new Op(1, Kind.INCR, "c", null, null, outcome, result, 1, 0, 1, null);
    }

    private static Op finalRead(String key, String value) {
        return new Op(-1, Kind.GET, key, null, null, Outcome.OK, value, 1, 2, 3, null);
    }

    @Test
    void anAcknowledgedWriteMissingFromTheFinalStateIsLost() {
        List<Op> h = List.of(set("u-1", "a", Outcome.OK), set("u-2", "b", Outcome.OK));
        assertTrue(FinalState.writeOnceDurability(h, Map.of("u-1", "a", "u-2", "b"))
                .passed());
        assertFalse(FinalState.writeOnceDurability(h, Map.of("u-1", "a")).passed());
    }

    @Test
    void aFailedWritePresentInTheFinalStateWasReportedWrongly() {
        List<Op> h = List.of(set("u-1", "a", Outcome.FAIL), set("u-2", "b", Outcome.UNKNOWN));
        assertTrue(FinalState.writeOnceDurability(h, Map.of("u-2", "b")).passed());
        assertFalse(FinalState.writeOnceDurability(h, Map.of("u-1", "a")).passed());
    }

    @Test
    void aCounterAboveAcknowledgedPlusUnknownIncrsCountsOneTwice() {
        List<Op> ok = List.of(incr(Outcome.OK, "1"), incr(Outcome.UNKNOWN, null), incr(Outcome.FAIL, null));
        assertTrue(
                FinalState.counters(with(ok, finalRead("c", "1")), Set.of("c")).passed());
        assertTrue(
                FinalState.counters(with(ok, finalRead("c", "2")), Set.of("c")).passed());
        assertFalse(
                FinalState.counters(with(ok, finalRead("c", "3")), Set.of("c")).passed(), "applied twice");
        assertFalse(
                FinalState.counters(with(ok, finalRead("c", "0")), Set.of("c")).passed(), "lost");
    }

    @Test
    void twoIncrsReturningTheSameValueAreADuplicate() {
        List<Op> h = List.of(incr(Outcome.OK, "1"), incr(Outcome.OK, "1"), incr(Outcome.UNKNOWN, null));
        assertFalse(
                FinalState.counters(with(h, finalRead("c", "2")), Set.of("c")).passed());
    }

    @Test
    void aRegisterHoldingAFailedWritesValueIsCaught() {
        List<Op> h = List.of(set("r", "a", Outcome.OK), set("r", "b", Outcome.FAIL));
        assertTrue(FinalState.noFailedWriteVisible(h, Map.of("r", "a"), Set.of("r"))
                .passed());
        assertFalse(FinalState.noFailedWriteVisible(h, Map.of("r", "b"), Set.of("r"))
                .passed());
    }

    private static List<Op> with(List<Op> h, Op extra) {
        List<Op> out = new java.util.ArrayList<>(h);
        out.add(extra);
        return out;
    }
}
