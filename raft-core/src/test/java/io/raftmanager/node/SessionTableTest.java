package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.SessionExpiredException;
import io.raftmanager.SessionExpiredException.Reason;
import io.raftmanager.SessionLimitException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The session table's rules, one per test, and its snapshot form. */
class SessionTableTest {
    private static ByteString r(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static byte[] bytes(SessionTable t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.writeTo(out);
        return out.toByteArray();
    }

    private static void applied(SessionTable t, long session, long seq, String result) {
        assertNull(t.lookup(session, seq), "sequence " + seq + " is new");
        t.record(session, seq, r(result));
    }

    @Test
    void aKeptResultAnswersTheRetry() {
        SessionTable t = new SessionTable(1_000, 4, 100);
        t.register(10);
        applied(t, 10, 1, "a");
        assertEquals(r("a"), t.lookup(10, 1));
    }

    @Test
    void outOfOrderSequencesAreAppliedOnceEach() {
        SessionTable t = new SessionTable(1_000, 4, 100);
        t.register(10);
        applied(t, 10, 2, "b");
        applied(t, 10, 1, "a");
        assertEquals(r("b"), t.lookup(10, 2));
        assertEquals(r("a"), t.lookup(10, 1));
    }

    @Test
    void theWindowDropsTheOldestResultAndRefusesItsRetry() {
        SessionTable t = new SessionTable(1_000, 2, 100);
        t.register(10);
        applied(t, 10, 1, "a");
        applied(t, 10, 2, "b");
        applied(t, 10, 3, "c");
        SessionExpiredException e = assertThrows(SessionExpiredException.class, () -> t.lookup(10, 1));
        assertEquals(Reason.RESULT_DISCARDED, e.reason());
        assertEquals(r("b"), t.lookup(10, 2));
    }

    @Test
    void anIdleSessionExpiresByTheSessionClockOnly() {
        SessionTable t = new SessionTable(1_000, 2, 100);
        t.advanceClock(1, 5_000); // a leader 5 s into its term: the clock counts those 5 s
        t.register(1);
        t.register(2);
        t.advanceClock(1, 5_800);
        applied(t, 2, 1, "x"); // session 2 active at 5,800
        t.advanceClock(1, 6_000); // exactly the timeout after session 1's activity: still alive
        assertTrue(t.contains(1));
        t.advanceClock(1, 6_001);
        assertFalse(t.contains(1));
        assertTrue(t.contains(2));
        SessionExpiredException e = assertThrows(SessionExpiredException.class, () -> t.lookup(1, 1));
        assertEquals(Reason.UNKNOWN_SESSION, e.reason());
    }

    /**
     * A new leader counts only its own monotonic time since its election, never a wall clock and never the
     * gap since the previous leader's last stamp: a leader whose wall clock jumped forward an hour expires
     * nothing (the old rule, the largest wall-clock stamp seen, expired every session at once).
     */
    @Test
    void aNewLeaderCountsOnlyItsOwnTimeSinceItsElection() {
        SessionTable t = new SessionTable(1_000, 2, 100);
        t.advanceClock(1, 0);
        t.register(1);
        t.advanceClock(1, 900);
        t.advanceClock(2, 50); // a new leader, 50 ms after its election
        assertTrue(t.contains(1), "950 ms of session time");
        t.advanceClock(2, 100);
        assertTrue(t.contains(1), "exactly the timeout");
        t.advanceClock(2, 101);
        assertFalse(t.contains(1));
    }

    @Test
    void aStampBehindTheLastOneOfItsTermNeverMovesTheClockBack() {
        SessionTable t = new SessionTable(1_000, 2, 100);
        t.advanceClock(1, 500);
        t.register(1);
        t.advanceClock(1, 100);
        t.advanceClock(1, 1_500);
        assertTrue(t.contains(1), "1,000 ms since the registration, counted from the largest stamp");
        t.advanceClock(1, 1_501);
        assertFalse(t.contains(1));
    }

    @Test
    void aRegistrationBeyondTheLimitIsRefusedAndCreatesNothing() {
        SessionTable t = new SessionTable(1_000, 2, 2);
        t.register(1);
        t.register(2);
        SessionLimitException e = assertThrows(SessionLimitException.class, () -> t.register(3));
        assertEquals(2, e.limit());
        assertFalse(t.contains(3));
        t.advanceClock(1, 1_001); // both expire: room again
        t.register(3);
        assertTrue(t.contains(3));
    }

    @Test
    void aFormatOneTableIsReadWithItsClockAsTheStartingPoint() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(raw);
        d.writeInt(1);
        d.writeLong(70_000); // the old wall-clock session clock
        d.writeInt(1);
        d.writeLong(9); // session 9, active at 69,500, floor 1, no results
        d.writeLong(69_500);
        d.writeLong(1);
        d.writeInt(0);
        d.flush();
        SessionTable t = new SessionTable(1_000, 2, 100);
        t.readFrom(new ByteArrayInputStream(raw.toByteArray()));
        assertTrue(t.contains(9));
        t.advanceClock(3, 500);
        assertTrue(t.contains(9));
        t.advanceClock(3, 501);
        assertFalse(t.contains(9));
    }

    @Test
    void theSnapshotFormRoundTripsAndKeepsTheExpiryOrder() throws IOException {
        SessionTable t = new SessionTable(1_000, 3, 100);
        t.advanceClock(1, 100);
        t.register(7);
        t.advanceClock(1, 200);
        t.register(3);
        applied(t, 3, 1, "a");
        t.advanceClock(1, 300);
        applied(t, 7, 2, "b"); // 7 is now the most recently active
        byte[] written = bytes(t);

        SessionTable copy = new SessionTable(1_000, 3, 100);
        copy.readFrom(new ByteArrayInputStream(written));
        assertArrayEquals(written, bytes(copy));
        assertEquals(r("b"), copy.lookup(7, 2));
        copy.advanceClock(1, 1_201);
        assertFalse(copy.contains(3), "3 was idle since 200");
        assertTrue(copy.contains(7));
    }

    @Test
    void equalTablesWriteEqualBytesWhateverTheAccessOrder() throws IOException {
        SessionTable a = new SessionTable(1_000, 3, 100);
        SessionTable b = new SessionTable(1_000, 3, 100);
        for (SessionTable t : new SessionTable[] {a, b}) {
            t.register(1);
            t.register(2);
        }
        assertNull(a.lookup(1, 5));
        assertNull(a.lookup(2, 5));
        assertNull(b.lookup(2, 5));
        assertNull(b.lookup(1, 5));
        assertArrayEquals(bytes(a), bytes(b));
    }

    @Test
    void anUnknownFormatIsRefused() {
        SessionTable t = new SessionTable(1_000, 3, 100);
        assertThrows(IOException.class, () -> t.readFrom(new ByteArrayInputStream(new byte[] {0, 0, 0, 9})));
    }
}
