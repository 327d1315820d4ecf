package io.raftmanager.examples.kv;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one KV node needs to start.
 *
 * @param peers every member's Raft address by id, this node included (for a --join node: the existing
 *     members plus itself)
 * @param http where the admin HTTP server listens; null for none
 * @param join start with an empty configuration and wait to be added instead of bootstrapping
 * @param snapshotEntries snapshot and compact the log after this many applied entries; 0 never
 * @param snapshotTrailingEntries entries kept in the log behind a snapshot, so a follower lagging by
 *     fewer catches up from the log rather than by a snapshot
 * @param maxBulkBytes the largest RESP bulk string accepted; larger ones close the connection
 * @param requestTimeoutMillis how long a client request may wait for its outcome
 * @param storage the log storage engine ({@link LogStorageFactory#forName})
 * @param loops event-loop threads shared by clients, peers and the Raft group; 0 for one per core
 */
public record KvNodeConfig(
        long id,
        String clusterId,
        InetSocketAddress raft,
        InetSocketAddress redis,
        InetSocketAddress http,
        Map<Long, InetSocketAddress> peers,
        Path dataDir,
        boolean join,
        int electionTimeoutMillis,
        int heartbeatMillis,
        long snapshotEntries,
        long snapshotTrailingEntries,
        int maxBulkBytes,
        long requestTimeoutMillis,
        String storage,
        int loops) {

    public static final int DEFAULT_MAX_BULK_BYTES = 512 * 1024;
    public static final long DEFAULT_SNAPSHOT_ENTRIES = 100_000;
    public static final long DEFAULT_SNAPSHOT_TRAILING_ENTRIES = 10_000;

    /** The event-loop threads to run: {@link #loops} or, when 0, one per core. */
    public int loopThreads() {
        return loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
    }

    public KvNodeConfig {
        peers = java.util.Collections.unmodifiableMap(new TreeMap<>(peers));
        if (id <= 0) {
            throw new StartupException("--id must be a positive number, was " + id);
        }
        InetSocketAddress self = peers.get(id);
        if (self == null) {
            throw new StartupException("--peers must list this node (id " + id + ")");
        }
        if (!self.equals(raft)) {
            throw new StartupException("--peers gives " + self + " for node " + id + " but --raft is " + raft);
        }
        if (heartbeatMillis < 1) {
            throw new StartupException("--heartbeat-ms must be >= 1, was " + heartbeatMillis);
        }
        if (electionTimeoutMillis < 2 * heartbeatMillis) {
            throw new StartupException("--election-timeout-ms (" + electionTimeoutMillis
                    + ") must be at least twice --heartbeat-ms (" + heartbeatMillis + ")");
        }
        if (maxBulkBytes < 1 || maxBulkBytes > 1 << 20) {
            throw new StartupException("--max-bulk-bytes must be in [1, 1048576], was " + maxBulkBytes);
        }
        if (requestTimeoutMillis < 1) {
            throw new StartupException("--request-timeout-ms must be >= 1, was " + requestTimeoutMillis);
        }
        if (loops < 0) {
            throw new StartupException("--loops must be >= 0, was " + loops);
        }
        if (snapshotEntries < 0) {
            throw new StartupException("--snapshot-entries must be >= 0, was " + snapshotEntries);
        }
        if (snapshotTrailingEntries < 0) {
            throw new StartupException("--snapshot-trailing-entries must be >= 0, was " + snapshotTrailingEntries);
        }
    }
}
