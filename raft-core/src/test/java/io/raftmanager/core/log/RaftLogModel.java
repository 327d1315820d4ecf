package io.raftmanager.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.raftmanager.core.log.RaftLogPropertyTest.Op;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link RaftLog} over a {@link MemoryLogStorage} through one operation sequence of {@link
 * RaftLogPropertyTest}, checking it after every step against a model: a plain list of terms plus
 * commit/apply/persist counters.
 */
final class RaftLogModel {
    /** Entries are a function of (term, index), so equal ids always mean equal entries (Raft §5.3). */
    static Entry entry(long term, long index) {
        int len = (int) ((term * 7 + index * 13) % 23);
        byte[] data = new byte[len];
        for (int i = 0; i < len; i++) {
            data[i] = (byte) (term + index + i);
        }
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFrom(data))
                .build();
    }

    final MemoryLogStorage storage = MemoryLogStorage.withVoters(1);
    final RaftLog log = new RaftLog(storage, 0);
    /** A write handed out: its entries and the model's generation then. */
    record Pending(List<Entry> entries, long generation) {}

    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    // The model.
    final List<Long> terms = new ArrayList<>(); // terms.get(i - 1) is the term at index i
    long first = 1; // first index held by storage (compaction moves it)
    long committed;
    long applying;
    long applied;
    long stable; // last index known durable
    long handedOut; // last index handed out for persistence
    long generation; // times entries were replaced: a write handed out before cannot vouch for them
    long maxTerm = 1;

    long last() {
        return terms.size();
    }

    long termAt(long i) {
        return i == 0 ? 0 : terms.get((int) (i - 1));
    }

    List<Entry> modelEntries(long lo, long hi) {
        List<Entry> out = new ArrayList<>();
        for (long i = lo; i < hi; i++) {
            out.add(entry(termAt(i), i));
        }
        return out;
    }

    static List<Entry> limit(List<Entry> es, long maxBytes) {
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (Entry e : es) {
            bytes += e.getSerializedSize();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Replaces the model log from index {@code from} with {@code es}. */
    void modelAppend(List<Entry> es) {
        long from = es.get(0).getIndex();
        if (from <= last()) {
            generation++;
        }
        while (last() >= from) {
            terms.remove(terms.size() - 1);
        }
        es.forEach(e -> terms.add(e.getTerm()));
        stable = Math.min(stable, from - 1);
        handedOut = Math.min(handedOut, from - 1);
    }

    /**
     * The log of the leader of {@code maxTerm}. Entries reach the model only from it, with a matching
     * prefix, so the model keeps the Log Matching Property: equal (term, index) imply equal prefixes.
     */
    List<Long> leaderLog = new ArrayList<>();

    /** A leader of a new term is elected whose log is the model's first {@code length} entries. */
    void newLeader(long length) {
        maxTerm++;
        leaderLog = new ArrayList<>(terms.subList(0, (int) length));
    }

    /** The leader's entries {@code [from, from + count)}, growing its log with new entries as needed. */
    List<Entry> leaderEntries(long from, int count) {
        while (leaderLog.size() < from - 1 + count) {
            leaderLog.add(maxTerm);
        }
        List<Entry> es = new ArrayList<>();
        for (long i = from; i < from + count; i++) {
            es.add(entry(leaderLog.get((int) i - 1), i));
        }
        return es;
    }

    void run(List<Op> ops) {
        for (Op op : ops) {
            step(op);
            checkInvariants(op);
        }
    }

    void step(Op op) {
        int a = op.a();
        int b = op.b();
        int c = op.c();
        switch (op.kind()) {
            case APPEND -> {
                // Half the time append at the end; otherwise truncate at a random point after the commit,
                // which takes a leader of a newer term.
                long from = c % 2 == 0 ? last() + 1 : committed + 1 + a % (last() - committed + 1);
                if (from <= last() || c % 3 == 0 || !leaderLog.equals(terms)) {
                    newLeader(from - 1);
                }
                List<Entry> es = leaderEntries(from, 1 + b % 4);
                assertEquals(from + es.size() - 1, log.append(es));
                modelAppend(es);
            }
            case APPEND_INVALID -> {
                long from = a % 2 == 0 && committed > 0 ? 1 + b % committed : last() + 2 + b % 3;
                Entry e = entry(maxTerm + 1, from);
                assertUnchangedOnThrow(IllegalStateException.class, () -> log.append(List.of(e)));
                assertEquals(last(), log.append(List.of()));
            }
            case COMMIT -> {
                long to = committed - 1 + a % (last() - committed + 3);
                if (to > last()) {
                    assertUnchangedOnThrow(IllegalStateException.class, () -> log.commitTo(to));
                } else {
                    log.commitTo(to);
                    committed = Math.max(committed, to);
                }
            }
            case TAKE_TO_PERSIST -> {
                List<Entry> taken = log.takeEntriesToPersist();
                assertEquals(modelEntries(handedOut + 1, last() + 1), taken);
                handedOut = last();
                if (!taken.isEmpty()) {
                    pending.add(new Pending(taken, generation));
                }
            }
            case FLUSH -> {
                Pending p = pending.poll();
                if (p != null) {
                    List<Entry> batch = p.entries();
                    storage.write(new LogBatch(null, batch, true));
                    Entry lastEntry = batch.get(batch.size() - 1);
                    log.stableTo(EntryId.of(lastEntry), p.generation());
                    long i = lastEntry.getIndex();
                    if (i > stable && i <= last() && termAt(i) == lastEntry.getTerm() && p.generation() == generation) {
                        stable = i;
                        handedOut = Math.max(handedOut, stable);
                    }
                }
            }
            case TAKE_TO_APPLY -> {
                long maxBytes = a % 120;
                List<Entry> got = log.takeEntriesToApply(maxBytes);
                long hi = Math.min(committed, stable);
                assertEquals(limit(modelEntries(applying + 1, Math.max(applying, hi) + 1), maxBytes), got);
                if (!got.isEmpty()) {
                    applying = got.get(got.size() - 1).getIndex();
                }
            }
            case APPLIED -> {
                long to = applied - 1 + a % (applying - applied + 3);
                if (to < applied || to > applying) {
                    assertUnchangedOnThrow(IllegalStateException.class, () -> log.appliedTo(to));
                } else {
                    log.appliedTo(to);
                    applied = to;
                }
            }
            case COMPACT -> {
                long upTo = Math.min(applied, stable);
                if (upTo >= first) {
                    long to = first + a % (upTo - first + 1);
                    storage.compact(to);
                    first = to + 1;
                }
            }
            case TERM -> {
                long i = Math.max(0, first - 3 + a % (last() - first + 6));
                if (i < first - 1) {
                    assertThrows(LogCompactedException.class, () -> log.term(i));
                    assertEquals(0, log.termOrZero(i));
                } else if (i > last()) {
                    assertThrows(IndexOutOfBoundsException.class, () -> log.term(i));
                    assertEquals(0, log.termOrZero(i));
                } else {
                    assertEquals(termAt(i), log.term(i), "term(" + i + ")");
                    assertEquals(termAt(i), log.termOrZero(i));
                }
                long t = b % (maxTerm + 2);
                boolean upToDate = t > termAt(last()) || (t == termAt(last()) && i >= last());
                assertEquals(upToDate, log.isUpToDate(i, t));
            }
            case SLICE -> {
                long lo = Math.max(0, first - 2 + a % (last() - first + 5));
                long hi = lo - 1 + b % (last() - lo + 4);
                long maxBytes = c % 150;
                if (lo < first) {
                    assertThrows(LogCompactedException.class, () -> log.slice(lo, hi, maxBytes));
                } else if (hi > last() + 1 || lo > hi) {
                    assertThrows(IndexOutOfBoundsException.class, () -> log.slice(lo, hi, maxBytes));
                } else {
                    assertEquals(limit(modelEntries(lo, hi), maxBytes), log.slice(lo, hi, maxBytes));
                }
            }
            case FIND_CONFLICT_BY_TERM -> {
                long index = a % (last() + 4);
                long t = b % (maxTerm + 2);
                assertEquals(bruteConflictByTerm(index, t), log.findConflictByTerm(index, t));
            }
            case MATCH_TERM -> {
                long i = a % (last() + 3);
                long t = b % 3 == 0 ? c % (maxTerm + 2) : (i <= last() ? termAt(i) : 0);
                boolean inRange = i >= first - 1 && i <= last();
                assertEquals((i == 0 && t == 0) || (inRange && termAt(i) == t), log.matchTerm(i, t));
            }
            case MAYBE_APPEND -> maybeAppend(a, b, c);
        }
    }

    long bruteConflictByTerm(long index, long t) {
        long hi = Math.min(index, last());
        long floor = first - 1;
        if (hi <= floor) {
            return hi;
        }
        for (long j = hi; j > floor; j--) {
            if (termAt(j) <= t) {
                return j;
            }
        }
        return floor;
    }

    void maybeAppend(int a, int b, int c) {
        if (c % 3 == 0) {
            // A new leader whose log diverges from ours after some point; rarely (breaking Leader
            // Completeness) before our commit index, which the log must refuse.
            long from = c % 7 == 0 ? 0 : committed;
            newLeader(from + a % (last() - from + 1));
        }
        if (b % 4 == 1) {
            leaderEntries(leaderLog.size() + 1, 1 + c % 3); // the leader ran ahead of us
        }
        if (leaderLog.size() < first - 1) {
            return; // a follower answers these from its commit index without consulting the log
        }
        long prevIndex = first - 1 + a % (leaderLog.size() - first + 2);
        long prevTerm = prevIndex == 0 ? 0 : leaderLog.get((int) prevIndex - 1);
        List<Entry> es = leaderEntries(prevIndex + 1, b % 5);
        long leaderCommit = (a / 7) % (last() + es.size() + 3);
        boolean matches = prevIndex == 0 && prevTerm == 0
                || prevIndex >= first - 1 && prevIndex <= last() && termAt(prevIndex) == prevTerm;
        if (!matches) {
            assertEquals(-1, log.maybeAppend(prevIndex, prevTerm, leaderCommit, es));
            return;
        }
        Entry conflict = es.stream()
                .filter(e -> e.getIndex() > last() || termAt(e.getIndex()) != e.getTerm())
                .findFirst()
                .orElse(null);
        if (conflict != null && conflict.getIndex() <= committed) {
            assertUnchangedOnThrow(
                    IllegalStateException.class, () -> log.maybeAppend(prevIndex, prevTerm, leaderCommit, es));
            return;
        }
        long lastNew = prevIndex + es.size();
        assertEquals(lastNew, log.maybeAppend(prevIndex, prevTerm, leaderCommit, es));
        if (conflict != null) {
            modelAppend(es.subList((int) (conflict.getIndex() - prevIndex - 1), es.size()));
        }
        committed = Math.max(committed, Math.min(leaderCommit, lastNew));
    }

    void assertUnchangedOnThrow(Class<? extends Throwable> type, Runnable action) {
        String before = describe();
        assertThrows(type, action::run);
        assertEquals(before, describe());
    }

    String describe() {
        return "last=" + log.lastIndex() + " commit=" + log.committed() + " applied=" + log.applied() + " stable="
                + log.lastStableIndex() + " toPersist=" + log.hasEntriesToPersist() + " toApply="
                + log.hasEntriesToApply() + " entries="
                + log.slice(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE);
    }

    void checkInvariants(Op op) {
        String where = "after " + op + ": ";
        assertEquals(last(), log.lastIndex(), where + "lastIndex");
        assertEquals(first, log.firstIndex(), where + "firstIndex");
        assertEquals(committed, log.committed(), where + "committed");
        assertEquals(applied, log.applied(), where + "applied");
        assertEquals(stable, log.lastStableIndex(), where + "lastStableIndex");
        assertEquals(handedOut < last(), log.hasEntriesToPersist(), where + "hasEntriesToPersist");
        assertEquals(applying < Math.min(committed, stable), log.hasEntriesToApply(), where + "hasEntriesToApply");
        assertEquals(new EntryId(termAt(last()), last()), log.lastEntryId(), where + "lastEntryId");
        assertEquals(termAt(first - 1), log.term(first - 1), where + "snapshot term");
        for (long i = first; i <= last(); i++) {
            assertEquals(termAt(i), log.term(i), where + "term(" + i + ")");
        }
        // The storage holds the true log up to the last index acknowledged as durable.
        for (long i = first; i <= stable; i++) {
            assertEquals(termAt(i), storage.term(i), where + "storage term(" + i + ")");
        }
    }
}
