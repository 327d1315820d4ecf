package io.raftmanager.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
    private static Progress probing(long match, long next) {
        Progress p = new Progress(next, false, 4, Long.MAX_VALUE);
        if (match > 0) {
            p.maybeUpdate(match);
        }
        assertEquals(ProgressState.PROBE, p.state());
        assertEquals(next, p.next());
        return p;
    }

    private static Progress replicating(long match, long next) {
        Progress p = probing(match, match + 1);
        p.becomeReplicate();
        for (long i = match + 1; i < next; i++) {
            p.sentEntries(i, 1, 1);
        }
        assertEquals(next, p.next());
        return p;
    }

    @Test
    void newProgressProbesFromTheGivenNextIndex() {
        Progress p = new Progress(7, true, 4, 100);
        assertEquals(ProgressState.PROBE, p.state());
        assertEquals(0, p.match());
        assertEquals(7, p.next());
        assertTrue(p.isLearner());
        assertFalse(p.isPaused());
    }

    @Test
    void probePausesAfterOneMessageUntilAnswerOrHeartbeat() {
        Progress p = probing(0, 5);
        p.sentEntries(6, 2, 10);
        assertTrue(p.isPaused());
        assertEquals(5, p.next(), "probing does not advance next optimistically");
        p.resumeProbe();
        assertFalse(p.isPaused());
        p.sentEntries(6, 2, 10);
        assertTrue(p.maybeUpdate(6));
        assertFalse(p.isPaused());
        assertEquals(7, p.next());
    }

    @Test
    void maybeUpdateIgnoresOldAcknowledgements() {
        Progress p = probing(5, 6);
        assertFalse(p.maybeUpdate(3));
        assertEquals(5, p.match());
        assertFalse(p.maybeUpdate(5));
        assertTrue(p.maybeUpdate(9));
        assertEquals(10, p.next());
    }

    @Test
    void probeRejectionMovesNextBackToTheHint() {
        Progress p = probing(2, 10);
        assertTrue(p.maybeDecrTo(9, 4));
        assertEquals(5, p.next());
        assertFalse(p.isPaused());
    }

    @Test
    void probeRejectionNeverMovesNextAtOrBelowMatch() {
        Progress p = probing(5, 10);
        assertTrue(p.maybeDecrTo(9, 1));
        assertEquals(6, p.next());
    }

    @Test
    void probeRejectionWithHintBeyondRejectedUsesRejected() {
        Progress p = probing(0, 10);
        assertTrue(p.maybeDecrTo(9, 50));
        assertEquals(9, p.next());
    }

    @Test
    void staleProbeRejectionIsIgnored() {
        Progress p = probing(0, 10);
        p.sentEntries(12, 3, 3);
        assertFalse(p.maybeDecrTo(7, 2), "rejects an index other than next - 1");
        assertEquals(10, p.next());
        assertTrue(p.isPaused());
    }

    @Test
    void probeRejectionAtOrBelowMatchIsIgnoredAndTheProbeStaysPaused() {
        Progress p = probing(5, 6);
        p.sentEntries(5, 0, 0);
        assertFalse(p.maybeDecrTo(5, 0), "the follower holds 5 by its own acknowledgement");
        assertEquals(6, p.next());
        assertTrue(p.isPaused(), "no immediate re-send of the same probe");
    }

    @Test
    void replicateRejectionAboveMatchFallsBackToMatchPlusOne() {
        Progress p = replicating(4, 9);
        assertTrue(p.maybeDecrTo(7, 2));
        assertEquals(5, p.next());
    }

    @Test
    void staleReplicateRejectionAtOrBelowMatchIsIgnored() {
        Progress p = replicating(4, 9);
        assertFalse(p.maybeDecrTo(4, 0));
        assertFalse(p.maybeDecrTo(2, 0));
        assertEquals(9, p.next());
    }

    @Test
    void replicateAdvancesNextOptimisticallyAndPausesWhenTheWindowIsFull() {
        Progress p = replicating(0, 1);
        for (long i = 1; i <= 4; i++) {
            assertFalse(p.isPaused());
            p.sentEntries(i, 1, 5);
        }
        assertEquals(5, p.next());
        assertTrue(p.isPaused());
        p.inflights().freeLE(2);
        assertFalse(p.isPaused());
        p.sentEntries(4, 0, 0); // an empty append carries only a commit index
        assertEquals(2, p.inflights().count());
        assertEquals(5, p.next());
    }

    @Test
    void becomeReplicateRestartsAfterMatchWithAnEmptyWindow() {
        Progress p = replicating(3, 6);
        p.maybeUpdate(4);
        p.becomeReplicate();
        assertEquals(ProgressState.REPLICATE, p.state());
        assertEquals(5, p.next());
        assertEquals(0, p.inflights().count());
    }

    @Test
    void becomeProbeFromReplicateResumesAfterMatch() {
        Progress p = replicating(3, 8);
        p.becomeProbe();
        assertEquals(ProgressState.PROBE, p.state());
        assertEquals(4, p.next());
        assertEquals(0, p.inflights().count());
        assertFalse(p.isPaused());
    }

    @Test
    void becomeProbeFromSnapshotResumesAfterTheSnapshot() {
        Progress p = probing(3, 4);
        p.becomeSnapshot(20);
        assertTrue(p.isPaused());
        assertEquals(20, p.pendingSnapshot());
        assertThrows(IllegalStateException.class, () -> p.sentEntries(5, 1, 1));
        p.becomeProbe();
        assertEquals(21, p.next());
        assertEquals(0, p.pendingSnapshot());
        Progress q = probing(30, 31);
        q.becomeSnapshot(20);
        q.becomeProbe();
        assertEquals(31, q.next(), "a match beyond the snapshot wins");
    }
}
