package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.SessionExpiredException;
import io.raftmanager.SessionExpiredException.Reason;
import io.raftmanager.SessionLimitException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client sessions of the replicated state (Raft thesis §6.3): per session, the results of its most
 * recent commands, so a retried command is answered without being applied again. Every change is a
 * function of applied log entries only, so every server holds the same table at the same index; {@link
 * #writeTo} is deterministic, for snapshots.
 *
 * <p>Rules, per session: a sequence number whose result is kept is a duplicate; one below the session's
 * floor (older than the kept results) is refused; any other is applied and its result kept, and once more
 * than {@code window} results are kept the oldest is dropped and the floor rises past it. A session with
 * no command for {@code timeoutMillis} of session-clock time expires. At most {@code maxSessions} exist;
 * a registration beyond that is refused. Not thread-safe: the applier owns it.
 *
 * <p>The session clock is carried by the log: each session entry holds the appending leader's monotonic
 * milliseconds since it became leader of the entry's term. Within a term the clock advances by the
 * difference between stamps; at a new term by the new leader's stamp alone (the time between the previous
 * leader's last stamp and the new leader's election is unknown, so it is not counted). The clock thus never
 * runs faster than some leader's monotonic clock: no wall-clock jump, forward or back, can expire a session
 * early; sessions may outlive their timeout by the uncounted time between leaders.
 */
final class SessionTable {
    private static final int FORMAT = 2;

    private static final class Session {
        long lastActiveMillis;
        /** Sequence numbers below this are refused unless their result is still kept (never, by construction). */
        long floor = 1;

        final TreeMap<Long, ByteString> results = new TreeMap<>();

        Session(long lastActiveMillis) {
            this.lastActiveMillis = lastActiveMillis;
        }
    }

    private final long timeoutMillis;
    private final int window;
    private final int maxSessions;
    /** In order of last activity (access order): the head is the first to expire. */
    private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    private long clockMillis;
    /** The term of the latest stamp counted, and that stamp: the next stamp of this term counts from it. */
    private long stampTerm;

    private long stampMillis;
    private boolean dedup = true;

    SessionTable(long timeoutMillis, int window, int maxSessions) {
        this.timeoutMillis = timeoutMillis;
        this.window = window;
        this.maxSessions = maxSessions;
    }

    /**
     * Advances the session clock by a leader's stamp (see the class comment) and expires idle sessions.
     *
     * @param term the term of the entry carrying the stamp; terms never decrease along the log
     * @param leaderElapsedMillis the leader's monotonic milliseconds since it became leader of {@code term}
     */
    void advanceClock(long term, long leaderElapsedMillis) {
        if (term == stampTerm) {
            clockMillis += Math.max(0, leaderElapsedMillis - stampMillis);
            stampMillis = Math.max(stampMillis, leaderElapsedMillis);
        } else if (term > stampTerm) {
            clockMillis += Math.max(0, leaderElapsedMillis);
            stampTerm = term;
            stampMillis = leaderElapsedMillis;
        }
        expireIdle();
    }

    private void expireIdle() {
        Iterator<Map.Entry<Long, Session>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            Session s = it.next().getValue();
            if (clockMillis - s.lastActiveMillis <= timeoutMillis) {
                break;
            }
            it.remove();
        }
    }

    /**
     * Creates session {@code sessionId}, active now.
     *
     * @throws SessionLimitException if the table already holds {@code maxSessions} sessions
     */
    void register(long sessionId) {
        if (sessions.size() >= maxSessions) {
            throw new SessionLimitException(maxSessions);
        }
        sessions.put(sessionId, new Session(clockMillis));
    }

    /**
     * Looks up a command about to be applied: returns the kept result of a duplicate, or null if the
     * command must be applied (then call {@link #record}).
     *
     * @throws SessionExpiredException if the session is unknown or the sequence number is below its floor
     */
    ByteString lookup(long sessionId, long sequence) {
        Session s = sessions.get(sessionId);
        if (s == null) {
            throw new SessionExpiredException(Reason.UNKNOWN_SESSION, sessionId, sequence);
        }
        s.lastActiveMillis = clockMillis;
        ByteString kept = dedup ? s.results.get(sequence) : null;
        if (kept != null) {
            return kept;
        }
        if (dedup && sequence < s.floor) {
            throw new SessionExpiredException(Reason.RESULT_DISCARDED, sessionId, sequence);
        }
        return null;
    }

    /** Keeps the result of a command just applied, dropping the session's oldest result beyond the window. */
    void record(long sessionId, long sequence, ByteString result) {
        Session s = sessions.get(sessionId);
        s.results.put(sequence, result);
        while (s.results.size() > window) {
            long dropped = s.results.pollFirstEntry().getKey();
            s.floor = Math.max(s.floor, dropped + 1);
        }
    }

    /** Planted-bug switch for tests only: apply every retry again, as if there were no sessions. */
    void disableDedupForTest() {
        dedup = false;
    }

    int size() {
        return sessions.size();
    }

    boolean contains(long sessionId) {
        return sessions.containsKey(sessionId);
    }

    /**
     * Writes the table: format, clock, the latest stamp's term and value, then each session in id order with its results in sequence order.
     * Equal tables give equal bytes.
     */
    void writeTo(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(FORMAT);
        d.writeLong(clockMillis);
        d.writeLong(stampTerm);
        d.writeLong(stampMillis);
        TreeMap<Long, Session> byId = new TreeMap<>();
        // Iterating the access-ordered map with entrySet does not reorder it.
        for (Map.Entry<Long, Session> e : sessions.entrySet()) {
            byId.put(e.getKey(), e.getValue());
        }
        d.writeInt(byId.size());
        for (Map.Entry<Long, Session> e : byId.entrySet()) {
            Session s = e.getValue();
            d.writeLong(e.getKey());
            d.writeLong(s.lastActiveMillis);
            d.writeLong(s.floor);
            d.writeInt(s.results.size());
            for (Map.Entry<Long, ByteString> r : s.results.entrySet()) {
                d.writeLong(r.getKey());
                d.writeInt(r.getValue().size());
                r.getValue().writeTo(d);
            }
        }
        d.flush();
    }

    /** Empties the table, as on a server that has applied nothing. */
    void clear() {
        sessions.clear();
        clockMillis = 0;
        stampTerm = 0;
        stampMillis = 0;
    }

    /** Replaces this table's contents with a table written by {@link #writeTo}. */
    void readFrom(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int format = d.readInt();
        if (format != 1 && format != FORMAT) {
            throw new IOException("unknown session table format " + format);
        }
        long clock = d.readLong();
        // Format 1 counted wall-clock stamps; its clock value stays as a starting point.
        long term = format == 1 ? 0 : d.readLong();
        long stamp = format == 1 ? 0 : d.readLong();
        int count = d.readInt();
        List<Map.Entry<Long, Session>> read = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long id = d.readLong();
            Session s = new Session(d.readLong());
            s.floor = d.readLong();
            int results = d.readInt();
            for (int j = 0; j < results; j++) {
                long seq = d.readLong();
                byte[] bytes = new byte[d.readInt()];
                d.readFully(bytes);
                s.results.put(seq, ByteString.copyFrom(bytes));
            }
            read.add(Map.entry(id, s));
        }
        // Rebuild the expiry order: by last activity, ties by id (tied sessions expire together anyway).
        read.sort(Comparator.<Map.Entry<Long, Session>>comparingLong(e -> e.getValue().lastActiveMillis)
                .thenComparingLong(Map.Entry::getKey));
        sessions.clear();
        clockMillis = clock;
        stampTerm = term;
        stampMillis = stamp;
        for (Map.Entry<Long, Session> e : read) {
            sessions.put(e.getKey(), e.getValue());
        }
    }
}
