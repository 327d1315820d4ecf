package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.Entry;
import java.util.function.LongSupplier;

/**
 * The most recent entries of one group, in a ring buffer bounded by bytes. Not thread-safe: guarded by
 * the owning storage's view lock.
 *
 * <p>Invariant: the entries are contiguous ({@code get(i).getIndex() == firstIndex() + i}) and, when not
 * empty, end at the group's last index.
 */
final class EntryCache {
    private final LongSupplier budgetBytes;
    private Entry[] ring = new Entry[16];
    private int head;
    private int size;
    private long bytes;

    /** @param budgetBytes the bytes it may hold, asked at each append (a group's share may change) */
    EntryCache(LongSupplier budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Index of the first cached entry; meaningless when empty. */
    long firstIndex() {
        return ring[head].getIndex();
    }

    /** True if {@code index} is cached. */
    boolean contains(long index) {
        return size > 0 && index >= firstIndex() && index < firstIndex() + size;
    }

    /** The cached entry at {@code index}; requires {@link #contains}. */
    Entry get(long index) {
        return ring[(int) ((head + (index - firstIndex())) % ring.length)];
    }

    /** Drops every cached entry at or after {@code index} (a truncated suffix). */
    void truncateFrom(long index) {
        while (size > 0 && ring[(head + size - 1) % ring.length].getIndex() >= index) {
            int i = (head + size - 1) % ring.length;
            bytes -= ring[i].getSerializedSize();
            ring[i] = null;
            size--;
        }
    }

    /** Drops every cached entry at or before {@code index} (a compacted prefix). */
    void compactThrough(long index) {
        while (size > 0 && ring[head].getIndex() <= index) {
            removeFirst();
        }
    }

    void clear() {
        java.util.Arrays.fill(ring, null);
        head = 0;
        size = 0;
        bytes = 0;
    }

    /**
     * Appends {@code e}, which must follow the last cached entry (or the cache must be empty), then evicts
     * the oldest entries beyond the budget.
     */
    void append(Entry e) {
        long budget = budgetBytes.getAsLong();
        if (budget == 0) {
            return;
        }
        if (size == ring.length) {
            Entry[] bigger = new Entry[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) % ring.length] = e;
        size++;
        bytes += e.getSerializedSize();
        while (bytes > budget && size > 1) {
            removeFirst();
        }
    }

    private void removeFirst() {
        bytes -= ring[head].getSerializedSize();
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
    }
}
