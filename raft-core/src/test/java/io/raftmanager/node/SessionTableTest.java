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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
        SessionTable t = new SessionTable(1_000, 4);
        t.register(10);
        applied(t, 10, 1, "a");
        assertEquals(r("a"), t.lookup(10, 1));
    }

    @Test
    void outOfOrderSequencesAreAppliedOnceEach() {
        SessionTable t = new SessionTable(1_000, 4);
        t.register(10);
        applied(t, 10, 2, "b");
        applied(t, 10, 1, "a");
        assertEquals(r("b"), t.lookup(10, 2));
        assertEquals(r("a"), t.lookup(10, 1));
    }

    @Test
    void theWindowDropsTheOldestResultAndRefusesItsRetry() {
        SessionTable t = new SessionTable(1_000, 2);
        t.register(10);
        applied(t, 10, 1, "a");
        applied(t, 10, 2, "b");
        applied(t, 10, 3, "c");
        SessionExpiredException e = assertThrows(SessionExpiredException.class, () -> t.lookup(10, 1));
        assertEquals(Reason.RESULT_DISCARDED, e.reason());
        assertEquals(r("b"), t.lookup(10, 2));
    }

    @Test
    void anIdleSessionExpiresByLeaderTimeOnly() {
        SessionTable t = new SessionTable(1_000, 2);
        t.advanceClock(5_000);
        t.register(1);
        t.register(2);
        t.advanceClock(5_800);
        applied(t, 2, 1, "x"); // session 2 active at 5,800
        t.advanceClock(6_000); // exactly the timeout after session 1's activity: still alive
        assertTrue(t.contains(1));
        t.advanceClock(6_001);
        assertFalse(t.contains(1));
        assertTrue(t.contains(2));
        SessionExpiredException e = assertThrows(SessionExpiredException.class, () -> t.lookup(1, 1));
        assertEquals(Reason.UNKNOWN_SESSION, e.reason());
    }

    @Test
    void aLeaderClockBehindTheLastOneNeverMovesTheSessionClockBack() {
        SessionTable t = new SessionTable(1_000, 2);
        t.advanceClock(10_000);
        t.register(1);
        t.advanceClock(3_000); // a new leader whose wall clock is behind
        applied(t, 1, 1, "a");
        t.advanceClock(10_999);
        assertTrue(t.contains(1), "last activity was stamped 10,000, not 3,000");
        t.advanceClock(11_001);
        assertFalse(t.contains(1));
    }

    @Test
    void theSnapshotFormRoundTripsAndKeepsTheExpiryOrder() throws IOException {
        SessionTable t = new SessionTable(1_000, 3);
        t.advanceClock(100);
        t.register(7);
        t.advanceClock(200);
        t.register(3);
        applied(t, 3, 1, "a");
        t.advanceClock(300);
        applied(t, 7, 2, "b"); // 7 is now the most recently active
        byte[] written = bytes(t);

        SessionTable copy = new SessionTable(1_000, 3);
        copy.readFrom(new ByteArrayInputStream(written));
        assertArrayEquals(written, bytes(copy));
        assertEquals(r("b"), copy.lookup(7, 2));
        copy.advanceClock(1_201);
        assertFalse(copy.contains(3), "3 was idle since 200");
        assertTrue(copy.contains(7));
    }

    @Test
    void equalTablesWriteEqualBytesWhateverTheAccessOrder() throws IOException {
        SessionTable a = new SessionTable(1_000, 3);
        SessionTable b = new SessionTable(1_000, 3);
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
        SessionTable t = new SessionTable(1_000, 3);
        assertThrows(IOException.class, () -> t.readFrom(new ByteArrayInputStream(new byte[] {0, 0, 0, 9})));
    }
}
