package io.raftmanager.core.log;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.spi.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The log as the core sees it: the durable entries of a {@link LogReader} followed by an unstable tail
 * not yet acknowledged as persisted, plus the commit and apply positions.
 *
 * <p>Invariants: {@code applied <= applying <= committed <= lastIndex()}; committed entries are never
 * truncated (an attempt is a bug and throws {@link IllegalStateException}); entries are applied only once
 * they are both committed and durable locally.
 */
public final class RaftLog {
    private final LogReader storage;
    private final UnstableLog unstable;
    private long committed;
    private long applying;
    private long applied;

    public RaftLog(LogReader storage, long committed) {
        this.storage = storage;
        this.unstable = new UnstableLog(storage.lastIndex() + 1);
        long snapshotIndex = storage.firstIndex() - 1;
        long durableLast = storage.lastIndex();
        if (committed > durableLast) {
            throw new IllegalStateException("commit index " + committed + " beyond last index " + durableLast);
        }
        this.committed = Math.max(committed, snapshotIndex);
        this.applying = snapshotIndex;
        this.applied = snapshotIndex;
    }

    public long firstIndex() {
        SnapshotMeta pending = unstable.snapshot();
        return pending != null ? pending.getIndex() + 1 : storage.firstIndex();
    }

    public long lastIndex() {
        // The unstable tail starts right after the durable log, so even when empty it knows the last index.
        return unstable.lastIndex();
    }

    public long committed() {
        return committed;
    }

    public long applied() {
        return applied;
    }

    /** The last index handed out for applying (at least {@link #applied()}). */
    public long applying() {
        return applying;
    }

    /** The last index whose entry is known durable locally. */
    public long lastStableIndex() {
        return unstable.offset() - 1;
    }

    public EntryId lastEntryId() {
        long last = lastIndex();
        return new EntryId(term(last), last);
    }

    /**
     * The term at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     *
     * @throws LogCompactedException if the index precedes the snapshot
     * @throws IndexOutOfBoundsException if the index is beyond the last entry
     */
    public long term(long index) {
        long t = unstable.termOrMinusOne(index);
        if (t >= 0) {
            return t;
        }
        if (index > lastIndex()) {
            throw new IndexOutOfBoundsException("index " + index + " beyond last index " + lastIndex());
        }
        return storage.term(index);
    }

    /** The term at {@code index}, or 0 if it is compacted or beyond the log. */
    public long termOrZero(long index) {
        long t = unstable.termOrMinusOne(index);
        if (t >= 0) {
            return t;
        }
        if (index > lastIndex() || index < firstIndex() - 1) {
            return 0;
        }
        try {
            return storage.term(index);
        } catch (LogCompactedException e) {
            return 0; // compacted by the log writer since the check above
        }
    }

    public boolean matchTerm(long index, long term) {
        return termOrZero(index) == term && (term != 0 || index == 0 || index == firstIndex() - 1);
    }

    /** Whether a log ending at (lastTerm, lastIndex) is at least as up to date as this one (Raft §5.4.1). */
    public boolean isUpToDate(long lastIndex, long lastTerm) {
        EntryId mine = lastEntryId();
        return lastTerm > mine.term() || (lastTerm == mine.term() && lastIndex >= mine.index());
    }

    /**
     * The AppendEntries receiver rules (Raft §5.3): if the entry at prevIndex has prevTerm, append the
     * new entries (truncating a conflicting suffix) and advance the commit index.
     *
     * @return the index of the last new entry, or -1 if the consistency check failed
     */
    public long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> entries) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + entries.size();
        long conflict = findConflict(entries);
        if (conflict != 0) {
            append(entries.subList((int) (conflict - prevIndex - 1), entries.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /**
     * The index of the first entry of {@code entries} that is missing from the log or has another term,
     * or 0 if the log already holds them all.
     */
    long findConflict(List<Entry> entries) {
        for (Entry e : entries) {
            if (!matchTerm(e.getIndex(), e.getTerm())) {
                return e.getIndex();
            }
        }
        return 0;
    }

    /**
     * For fast backtracking: the largest index {@code <= index} whose term is {@code <= term}. Every entry
     * after it either is absent or has a larger term, so none of them can match a leader whose entry at
     * {@code index} has {@code term}.
     */
    public long findConflictByTerm(long index, long term) {
        long i = Math.min(index, lastIndex());
        long floor = firstIndex() - 1;
        while (i > floor && termOrZero(i) > term) {
            i--;
        }
        return i;
    }

    /** Appends entries, replacing any suffix from their first index; returns the new last index. */
    public long append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return lastIndex();
        }
        long from = entries.get(0).getIndex();
        if (from <= committed) {
            throw new IllegalStateException(
                    "truncating committed entries: append at " + from + " <= commit " + committed);
        }
        if (from > lastIndex() + 1) {
            throw new IllegalStateException("gap in log: append at " + from + " after last index " + lastIndex());
        }
        unstable.truncateAndAppend(entries);
        return lastIndex();
    }

    public void commitTo(long index) {
        if (index <= committed) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
        }
        committed = index;
    }

    /**
     * Commits {@code index} if it is beyond the commit index and its entry has {@code term}: a leader only
     * commits entries of its own term by counting replicas (Raft §5.4.2).
     */
    public boolean maybeCommit(long index, long term) {
        if (index > committed && termOrZero(index) == term) {
            commitTo(index);
            return true;
        }
        return false;
    }

    /**
     * Replaces the whole log by a snapshot received from the leader (its log does not hold the snapshot's
     * last entry): everything up to the snapshot's index is committed, and the log restarts after it. The
     * snapshot is handed out for persisting (and installing) by {@link #takeSnapshotToPersist()}.
     */
    public void restore(SnapshotMeta meta) {
        if (meta.getIndex() <= committed) {
            throw new IllegalStateException(
                    "restoring snapshot at " + meta.getIndex() + " at or below commit " + committed);
        }
        unstable.restore(meta);
        committed = meta.getIndex();
        applying = meta.getIndex();
    }

    public boolean hasSnapshotToPersist() {
        return unstable.hasSnapshotToPersist();
    }

    /** The snapshot to persist and install, handed out once; null if none. */
    public SnapshotMeta takeSnapshotToPersist() {
        return unstable.takeSnapshotToPersist();
    }

    /** The snapshot handed out earlier is durable. */
    public void snapshotPersisted(SnapshotMeta meta) {
        unstable.snapshotPersisted(meta);
    }

    public boolean hasEntriesToPersist() {
        return unstable.hasEntriesToPersist();
    }

    /** Hands out the unstable entries not yet given to the runtime, and marks them in progress. */
    public List<Entry> takeEntriesToPersist() {
        List<Entry> out = unstable.entriesToPersist();
        unstable.acceptInProgress();
        return out;
    }

    /** Which replacement of unstable entries the log is at: record it with a write when handing it out. */
    public long unstableGeneration() {
        return unstable.generation();
    }

    /**
     * A write handed out at {@code generation} and ending at {@code id} is durable. It vouches for the
     * entries only if none was replaced since it was handed out: matching on (term, index) alone would
     * be fooled by two quick leader changes that put the same entry back (see {@link UnstableLog}).
     */
    public void stableTo(EntryId id, long generation) {
        unstable.stableTo(id, generation);
    }

    private long maxApplicableIndex() {
        return Math.min(committed, lastStableIndex());
    }

    public boolean hasEntriesToApply() {
        return applying < maxApplicableIndex();
    }

    /**
     * Whether {@link #takeEntriesToApply(long, long)} with this {@code configLimit} would hand out anything:
     * false when the next entry is a configuration entry beyond the limit.
     */
    public boolean hasEntriesToApply(long configLimit) {
        if (applying >= maxApplicableIndex()) {
            return false;
        }
        if (applying + 1 <= configLimit) {
            return true;
        }
        return slice(applying + 1, applying + 2, Long.MAX_VALUE).get(0).getType() != EntryType.ENTRY_TYPE_CONFIGURATION;
    }

    /** Hands out committed, durable entries not yet handed out, up to {@code maxBytes}. */
    public List<Entry> takeEntriesToApply(long maxBytes) {
        return takeEntriesToApply(maxBytes, Long.MAX_VALUE);
    }

    /**
     * Like {@link #takeEntriesToApply(long)}, but stops before the first configuration entry whose index is
     * beyond {@code configLimit} (the core passes its durable commit index, so that a configuration never
     * takes effect before a restart would find it committed again).
     */
    public List<Entry> takeEntriesToApply(long maxBytes, long configLimit) {
        long hi = maxApplicableIndex();
        if (applying >= hi) {
            return List.of();
        }
        List<Entry> out = slice(applying + 1, hi + 1, maxBytes);
        for (int i = 0; i < out.size(); i++) {
            Entry e = out.get(i);
            if (e.getIndex() > configLimit && e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
                out = out.subList(0, i);
                break;
            }
        }
        if (out.isEmpty()) {
            return List.of();
        }
        applying = out.get(out.size() - 1).getIndex();
        return out;
    }

    /** The state machine has applied every entry up to {@code index}. */
    public void appliedTo(long index) {
        if (index > applying || index < applied) {
            throw new IllegalStateException("applied " + index + " outside [" + applied + ", " + applying + "]");
        }
        applied = index;
    }

    /** Entries {@code [lo, hi)}, limited to {@code maxBytes} but never empty when the range is not. */
    public List<Entry> slice(long lo, long hi, long maxBytes) {
        if (lo < firstIndex()) {
            throw new LogCompactedException(lo, firstIndex());
        }
        if (hi > lastIndex() + 1 || lo > hi) {
            throw new IndexOutOfBoundsException("slice [" + lo + ", " + hi + ") beyond last index " + lastIndex());
        }
        if (lo == hi) {
            return List.of();
        }
        long boundary = unstable.offset();
        List<Entry> out;
        if (lo < boundary) {
            out = new ArrayList<>(storage.entries(lo, Math.min(hi, boundary), maxBytes));
            if (hi <= boundary || out.size() < Math.min(hi, boundary) - lo) {
                return out;
            }
        } else {
            out = new ArrayList<>();
        }
        long bytes = 0;
        for (Entry e : out) {
            bytes += e.getSerializedSize();
        }
        for (Entry e : unstable.slice(Math.max(lo, boundary), hi)) {
            long size = e.getSerializedSize();
            if (!out.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            out.add(e);
            bytes += size;
        }
        return out;
    }
}
