package io.raftmanager;

/**
 * When a node snapshots its state machine and compacts its log, and how it streams snapshots to
 * followers. Build with {@link #builder()}; {@link #DEFAULTS} suit most uses.
 *
 *
 * <p>A final class built only by its builder, so that new settings never break callers.
 */
public final class SnapshotConfig {

    public static final int MAX_CHUNK_BYTES = 8 << 20;
    /** The default policy. */
    public static final SnapshotConfig DEFAULTS = builder().build();

    private final long everyEntries;
    private final long everyBytes;
    private final long trailingEntries;
    private final int chunkBytes;
    private final int windowChunks;
    private final long maxBytesPerSecond;
    private final long chunkTimeoutMillis;

    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    private SnapshotConfig(Builder b) {
        this.everyEntries = b.everyEntries;
        this.everyBytes = b.everyBytes;
        this.trailingEntries = b.trailingEntries;
        this.chunkBytes = b.chunkBytes;
        this.windowChunks = b.windowChunks;
        this.maxBytesPerSecond = b.maxBytesPerSecond;
        this.chunkTimeoutMillis = b.chunkTimeoutMillis;

        InvalidConfigException.require(everyEntries >= 0, "snapshot.everyEntries", "must be >= 0, was " + everyEntries);
        InvalidConfigException.require(everyBytes >= 0, "snapshot.everyBytes", "must be >= 0, was " + everyBytes);
        InvalidConfigException.require(
                trailingEntries >= 0, "snapshot.trailingEntries", "must be >= 0, was " + trailingEntries);
        InvalidConfigException.require(
                chunkBytes >= 1 && chunkBytes <= MAX_CHUNK_BYTES,
                "snapshot.chunkBytes",
                "must be in [1, " + MAX_CHUNK_BYTES + "], was " + chunkBytes);
        InvalidConfigException.require(windowChunks >= 1, "snapshot.windowChunks", "must be >= 1, was " + windowChunks);
        InvalidConfigException.require(
                maxBytesPerSecond >= 0, "snapshot.maxBytesPerSecond", "must be >= 0, was " + maxBytesPerSecond);
        InvalidConfigException.require(
                chunkTimeoutMillis >= 1, "snapshot.chunkTimeoutMillis", "must be >= 1, was " + chunkTimeoutMillis);
    }

    /** Take a snapshot once this many entries were applied since the last one; 0 turns the entry-count trigger off. */
    public long everyEntries() {
        return everyEntries;
    }

    /** Take a snapshot once this many bytes of commands were applied since the last one; 0 turns the byte trigger off. */
    public long everyBytes() {
        return everyBytes;
    }

    /** Entries kept in the log behind a snapshot, so that a follower lagging by fewer entries catches up from the log instead of needing a snapshot. */
    public long trailingEntries() {
        return trailingEntries;
    }

    /** The data bytes of one snapshot chunk message; must stay below the transport's maximum message size (at most 8 MiB). */
    public int chunkBytes() {
        return chunkBytes;
    }

    /** Chunks sent to one follower and not yet acknowledged, at most: with {@code chunkBytes} this bounds the memory one transfer uses. */
    public int windowChunks() {
        return windowChunks;
    }

    /** Throttle for the snapshot bytes a leader sends (over all followers); 0 for unlimited. */
    public long maxBytesPerSecond() {
        return maxBytesPerSecond;
    }

    /** A chunk not acknowledged within this is sent again from the last acknowledged offset; a transfer with no progress for ten times this is abandoned (and retried later). */
    public long chunkTimeoutMillis() {
        return chunkTimeoutMillis;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SnapshotConfig o
                && everyEntries == o.everyEntries
                && everyBytes == o.everyBytes
                && trailingEntries == o.trailingEntries
                && chunkBytes == o.chunkBytes
                && windowChunks == o.windowChunks
                && maxBytesPerSecond == o.maxBytesPerSecond
                && chunkTimeoutMillis == o.chunkTimeoutMillis;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                everyEntries,
                everyBytes,
                trailingEntries,
                chunkBytes,
                windowChunks,
                maxBytesPerSecond,
                chunkTimeoutMillis);
    }

    @Override
    public String toString() {
        return "SnapshotConfig[everyEntries=" + everyEntries + ", everyBytes=" + everyBytes + ", trailingEntries="
                + trailingEntries + ", chunkBytes=" + chunkBytes + ", windowChunks=" + windowChunks
                + ", maxBytesPerSecond=" + maxBytesPerSecond + ", chunkTimeoutMillis=" + chunkTimeoutMillis + "]";
    }

    /** A builder with every field at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether an automatic trigger is on. */
    public boolean automatic() {
        return everyEntries > 0 || everyBytes > 0;
    }

    /** A mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private long everyEntries = 10_000;
        private long everyBytes = 64L << 20;
        private long trailingEntries = 1_000;
        private int chunkBytes = 256 << 10;
        private int windowChunks = 4;
        private long maxBytesPerSecond;
        private long chunkTimeoutMillis = 2_000;

        private Builder() {}

        public Builder everyEntries(long value) {
            everyEntries = value;
            return this;
        }

        public Builder everyBytes(long value) {
            everyBytes = value;
            return this;
        }

        public Builder trailingEntries(long value) {
            trailingEntries = value;
            return this;
        }

        public Builder chunkBytes(int value) {
            chunkBytes = value;
            return this;
        }

        public Builder windowChunks(int value) {
            windowChunks = value;
            return this;
        }

        public Builder maxBytesPerSecond(long value) {
            maxBytesPerSecond = value;
            return this;
        }

        public Builder chunkTimeoutMillis(long value) {
            chunkTimeoutMillis = value;
            return this;
        }

        /**
         * A validated policy.
         *
         * @throws InvalidConfigException naming the first invalid field
         */
        public SnapshotConfig build() {
            return new SnapshotConfig(this);
        }
    }
}
