package io.raftmanager.core.tracker;

/**
 * The AppendEntries sent to one follower and not yet acknowledged, bounded by count and by bytes: the
 * flow-control window of pipelined replication. A ring buffer of (last index, bytes) per message.
 *
 * <p>Invariant: indexes are ascending from head to tail.
 */
public final class Inflights {
    private final int capacity;
    private final long maxBytes;
    private final long[] lastIndex;
    private final long[] sizes;
    private int head;
    private int count;
    private long bytes;

    public Inflights(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.lastIndex = new long[capacity];
        this.sizes = new long[capacity];
    }

    /** Records a message whose last entry is {@code index}, carrying {@code size} entry bytes. */
    public void add(long index, long size) {
        if (isFull()) {
            throw new IllegalStateException("inflights full: " + count + " messages, " + bytes + " bytes");
        }
        int slot = (head + count) % capacity;
        lastIndex[slot] = index;
        sizes[slot] = size;
        count++;
        bytes += size;
    }

    /** Frees every message whose last index is {@code <= index}: the follower acknowledged them. */
    public void freeLE(long index) {
        while (count > 0 && lastIndex[head] <= index) {
            bytes -= sizes[head];
            head = (head + 1) % capacity;
            count--;
        }
        if (count == 0) {
            head = 0;
        }
    }

    /** Frees the oldest message, so a window wedged by lost messages lets one more through. */
    public void freeFirstOne() {
        if (count > 0) {
            freeLE(lastIndex[head]);
        }
    }

    public boolean isFull() {
        return count == capacity || bytes >= maxBytes;
    }

    public int count() {
        return count;
    }

    public long bytes() {
        return bytes;
    }

    public void reset() {
        head = 0;
        count = 0;
        bytes = 0;
    }
}
