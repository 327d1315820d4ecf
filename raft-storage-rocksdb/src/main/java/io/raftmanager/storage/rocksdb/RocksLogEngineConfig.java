package io.raftmanager.storage.rocksdb;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The configuration of a {@link RocksLogEngine}: where it lives, whose data it holds, and how much memory
 * and background I/O it may use. Immutable; build it with {@link #builder(Path, String, long)}.
 *
 * @param directory the RocksDB data directory (created if missing)
 * @param clusterId the cluster this node belongs to; stored on first open and checked on every later one
 * @param nodeId this node's id; stored on first open and checked on every later one
 * @param blockCacheBytes size of the LRU block cache shared by both column families: it serves log reads
 *     that miss the per-group entry cache (followers catching up)
 * @param writeBufferBytes size of one memtable of the log column family; larger means fewer, bigger flushes
 * @param maxBackgroundJobs bound on RocksDB's flush and compaction threads, so background work cannot take
 *     over the machine
 * @param backgroundBytesPerSecond rate limit of flush and compaction writes, so they do not starve the
 *     WAL's fsyncs; 0 means unlimited
 * @param entryCacheBytesPerGroup the most bytes of recent entries one group keeps in memory, serving the
 *     leader's replication reads, the applier and term lookups near the tail without touching RocksDB
 * @param entryCacheBytes the bytes of recent entries all groups together keep in memory: each open group
 *     gets an equal share, at most {@code entryCacheBytesPerGroup} and at least {@link
 *     #MIN_ENTRY_CACHE_SHARE_BYTES} (a few entries past the tail). The bound is what keeps many busy groups
 *     cheap: an entry that stays cached for seconds outlives young collections and dies in the old
 *     generation, while the tail that replication and applying read is a few entries per group
 */
public record RocksLogEngineConfig(
        Path directory,
        String clusterId,
        long nodeId,
        long blockCacheBytes,
        long writeBufferBytes,
        int maxBackgroundJobs,
        long backgroundBytesPerSecond,
        long entryCacheBytesPerGroup,
        long entryCacheBytes) {

    public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L << 20;
    public static final int DEFAULT_MAX_BACKGROUND_JOBS = 2;
    public static final long DEFAULT_BACKGROUND_BYTES_PER_SECOND = 64L << 20;
    public static final long DEFAULT_ENTRY_CACHE_BYTES_PER_GROUP = 1L << 20;
    public static final long DEFAULT_ENTRY_CACHE_BYTES = 1L << 20;
    /** The least a group's share of {@code entryCacheBytes} falls to, however many groups are open. */
    public static final long MIN_ENTRY_CACHE_SHARE_BYTES = 16L << 10;

    /**
     * One open group's share of {@link #entryCacheBytes()} when {@code openGroups} are open: equal shares,
     * at most {@link #entryCacheBytesPerGroup()}, at least {@link #MIN_ENTRY_CACHE_SHARE_BYTES} (unless the
     * per-group bound is lower).
     */
    public long entryCacheShare(int openGroups) {
        long equal = entryCacheBytes / Math.max(1, openGroups);
        return Math.min(entryCacheBytesPerGroup, Math.max(MIN_ENTRY_CACHE_SHARE_BYTES, equal));
    }

    /** Validates every field; the message names the field at fault. */
    public RocksLogEngineConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(clusterId, "clusterId");
        if (clusterId.isEmpty()) {
            throw new IllegalArgumentException("clusterId must not be empty");
        }
        if (nodeId <= 0) {
            throw new IllegalArgumentException("nodeId must be positive, was " + nodeId);
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must be >= 0, was " + blockCacheBytes);
        }
        if (writeBufferBytes < (1 << 20)) {
            throw new IllegalArgumentException("writeBufferBytes must be >= 1 MiB, was " + writeBufferBytes);
        }
        if (maxBackgroundJobs < 1) {
            throw new IllegalArgumentException("maxBackgroundJobs must be >= 1, was " + maxBackgroundJobs);
        }
        if (backgroundBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "backgroundBytesPerSecond must be >= 0, was " + backgroundBytesPerSecond);
        }
        if (entryCacheBytesPerGroup < 0) {
            throw new IllegalArgumentException("entryCacheBytesPerGroup must be >= 0, was " + entryCacheBytesPerGroup);
        }
        if (entryCacheBytes < 0) {
            throw new IllegalArgumentException("entryCacheBytes must be >= 0, was " + entryCacheBytes);
        }
    }

    /** A builder with the defaults above for everything but the identity. */
    public static Builder builder(Path directory, String clusterId, long nodeId) {
        return new Builder(directory, clusterId, nodeId);
    }

    /** Builds a {@link RocksLogEngineConfig}; every setter has the default named in the record. */
    public static final class Builder {
        private final Path directory;
        private final String clusterId;
        private final long nodeId;
        private long blockCacheBytes = DEFAULT_BLOCK_CACHE_BYTES;
        private long writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private int maxBackgroundJobs = DEFAULT_MAX_BACKGROUND_JOBS;
        private long backgroundBytesPerSecond = DEFAULT_BACKGROUND_BYTES_PER_SECOND;
        private long entryCacheBytesPerGroup = DEFAULT_ENTRY_CACHE_BYTES_PER_GROUP;
        private long entryCacheBytes = DEFAULT_ENTRY_CACHE_BYTES;

        private Builder(Path directory, String clusterId, long nodeId) {
            this.directory = directory;
            this.clusterId = clusterId;
            this.nodeId = nodeId;
        }

        public Builder blockCacheBytes(long v) {
            this.blockCacheBytes = v;
            return this;
        }

        public Builder writeBufferBytes(long v) {
            this.writeBufferBytes = v;
            return this;
        }

        public Builder maxBackgroundJobs(int v) {
            this.maxBackgroundJobs = v;
            return this;
        }

        public Builder backgroundBytesPerSecond(long v) {
            this.backgroundBytesPerSecond = v;
            return this;
        }

        public Builder entryCacheBytesPerGroup(long v) {
            this.entryCacheBytesPerGroup = v;
            return this;
        }

        public Builder entryCacheBytes(long v) {
            this.entryCacheBytes = v;
            return this;
        }

        public RocksLogEngineConfig build() {
            return new RocksLogEngineConfig(
                    directory,
                    clusterId,
                    nodeId,
                    blockCacheBytes,
                    writeBufferBytes,
                    maxBackgroundJobs,
                    backgroundBytesPerSecond,
                    entryCacheBytesPerGroup,
                    entryCacheBytes);
        }
    }
}
