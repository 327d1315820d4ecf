package io.raftmanager;

/**
 * When a node snapshots its state machine and compacts its log, and how it streams snapshots to
 * followers. Build with {@link #builder()}; {@link #DEFAULTS} suit most uses.
 *
 * @param everyEntries take a snapshot once this many entries were applied since the last one; 0 turns
 *     the entry-count trigger off
 * @param everyBytes take a snapshot once this many bytes of commands were applied since the last one; 0
 *     turns the byte trigger off
 * @param trailingEntries entries kept in the log behind a snapshot, so that a follower lagging by fewer
 *     entries catches up from the log instead of needing a snapshot
 * @param chunkBytes the data bytes of one snapshot chunk message; must stay below the transport's
 *     maximum message size (at most 8 MiB)
 * @param windowChunks chunks sent to one follower and not yet acknowledged, at most: with {@code
 *     chunkBytes} this bounds the memory one transfer uses
 * @param maxBytesPerSecond throttle for the snapshot bytes a leader sends (over all followers); 0 for
 *     unlimited
 * @param chunkTimeoutMillis a chunk not acknowledged within this is sent again from the last acknowledged
 *     offset; a transfer with no progress for ten times this is abandoned (and retried later)
 */
public record SnapshotConfig(
        long everyEntries,
        long everyBytes,
        long trailingEntries,
        int chunkBytes,
        int windowChunks,
        long maxBytesPerSecond,
        long chunkTimeoutMillis) {

    public static final int MAX_CHUNK_BYTES = 8 << 20;
    public static final SnapshotConfig DEFAULTS = builder().build();

    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    public SnapshotConfig {
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

        public SnapshotConfig build() {
            return new SnapshotConfig(
                    everyEntries,
                    everyBytes,
                    trailingEntries,
                    chunkBytes,
                    windowChunks,
                    maxBytesPerSecond,
                    chunkTimeoutMillis);
        }
    }
}
