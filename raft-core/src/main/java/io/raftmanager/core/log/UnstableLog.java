package io.raftmanager.core.log;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log that is not yet known to be durable.
 *
 * <p>Invariants: {@code entries.get(i).getIndex() == offset + i}; {@code offset <= offsetInProgress <=
 * offset + entries.size()}. Entries in {@code [offset, offsetInProgress)} have been handed to the runtime
 * for persistence and are awaiting its acknowledgement. A snapshot not yet durable, if any, ends at
 * {@code offset - 1}: the log restarts after it.
 */
final class UnstableLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long offset;
    private long offsetInProgress;
    private SnapshotMeta snapshot;
    private boolean snapshotInProgress;
    /**
     * Counts the times entries held here were replaced (a conflicting append, a snapshot): a write handed
     * out before a replacement cannot vouch for entries that now sit at the same (term, index), since a
     * later write (the truncation) may remove them from the disk again before they are rewritten.
     */
    private long generation;

    UnstableLog(long offset) {
        this.offset = offset;
        this.offsetInProgress = offset;
    }

    long offset() {
        return offset;
    }

    long generation() {
        return generation;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The last index held here, or {@code offset - 1} if empty. */
    long lastIndex() {
        return offset + entries.size() - 1;
    }

    /** The term at {@code index} if held here (or at the pending snapshot's index), else -1. */
    long termOrMinusOne(long index) {
        if (snapshot != null && index == snapshot.getIndex()) {
            return snapshot.getTerm();
        }
        if (index < offset || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - offset)).getTerm();
    }

    boolean hasEntriesToPersist() {
        return offsetInProgress <= lastIndex();
    }

    /** The snapshot the log restarts after, while it is not yet durable; else null. */
    SnapshotMeta snapshot() {
        return snapshot;
    }

    /** Replaces the whole log by a snapshot: the log restarts empty after its index. */
    void restore(SnapshotMeta meta) {
        generation++;
        entries.clear();
        snapshot = meta;
        snapshotInProgress = false;
        offset = meta.getIndex() + 1;
        offsetInProgress = offset;
    }

    boolean hasSnapshotToPersist() {
        return snapshot != null && !snapshotInProgress;
    }

    /** Hands out the pending snapshot for persistence (once). */
    SnapshotMeta takeSnapshotToPersist() {
        if (!hasSnapshotToPersist()) {
            return null;
        }
        snapshotInProgress = true;
        return snapshot;
    }

    /** The snapshot {@code meta} is durable; the durable log now knows it. */
    void snapshotPersisted(SnapshotMeta meta) {
        if (snapshot != null && snapshot.getIndex() == meta.getIndex() && snapshot.getTerm() == meta.getTerm()) {
            snapshot = null;
            snapshotInProgress = false;
        }
    }

    /** Entries not yet handed out for persistence. */
    List<Entry> entriesToPersist() {
        return slice(offsetInProgress, lastIndex() + 1);
    }

    /** Marks every entry held as handed out for persistence. */
    void acceptInProgress() {
        offsetInProgress = lastIndex() + 1;
    }

    /**
     * The entries up to {@code id}, written by a write handed out at {@code generation}, are durable: drop
     * them, unless entries were replaced since (even by equal ones: two quick leader changes can put the
     * same (term, index) back while the truncation between is still on its way to the disk; the write
     * that rewrites them will vouch for them).
     */
    void stableTo(EntryId id, long generation) {
        if (generation != this.generation || termOrMinusOne(id.index()) != id.term()) {
            return;
        }
        int n = (int) (id.index() + 1 - offset);
        entries.subList(0, n).clear();
        offset = id.index() + 1;
        offsetInProgress = Math.max(offsetInProgress, offset);
    }

    /**
     * Appends {@code newEntries}, first replacing anything at or after their first index. The caller has
     * checked that the first index is at most {@code lastIndex() + 1} of the whole log.
     */
    void truncateAndAppend(List<Entry> newEntries) {
        long from = newEntries.get(0).getIndex();
        if (from <= lastIndex()) {
            generation++;
        }
        if (from == lastIndex() + 1) {
            entries.addAll(newEntries);
        } else if (from <= offset) {
            // Replaces everything held here, and tells the runtime to truncate the durable log from `from`.
            entries.clear();
            entries.addAll(newEntries);
            offset = from;
            offsetInProgress = from;
        } else {
            entries.subList((int) (from - offset), entries.size()).clear();
            entries.addAll(newEntries);
            offsetInProgress = Math.min(offsetInProgress, from);
        }
    }

    /** The entries {@code [lo, hi)}; the range must lie within {@code [offset, lastIndex() + 1]}. */
    List<Entry> slice(long lo, long hi) {
        if (lo < offset || hi > lastIndex() + 1 || lo > hi) {
            throw new IllegalStateException("unstable slice [" + lo + ", " + hi + ") out of bounds [" + offset + ", "
                    + (lastIndex() + 1) + ")");
        }
        return new ArrayList<>(entries.subList((int) (lo - offset), (int) (hi - offset)));
    }
}
