package io.raftmanager.examples.kv;

import io.raftmanager.examples.kv.security.KvSecurity;
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
 * @param security peer TLS, admin token and the rest; {@link KvSecurity#NONE} for an open node
 * @param databases the number of Redis databases (SELECT 0..databases-1); every node must agree
 * @param groups the Raft groups the keys are sharded over ({@link KeySlots}); every node hosts every
 *     group and every node must agree. 1 is a single group, as before sharding.
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
        int loops,
        KvSecurity security,
        int databases,
        int groups) {

    public static final int DEFAULT_MAX_BULK_BYTES = 512 * 1024;
    public static final long DEFAULT_SNAPSHOT_ENTRIES = 100_000;
    public static final long DEFAULT_SNAPSHOT_TRAILING_ENTRIES = 10_000;

    public static final int DEFAULT_DATABASES = 16;

    /** A configuration with one Raft group. */
    public KvNodeConfig(
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
            int loops,
            KvSecurity security,
            int databases) {
        this(
                id,
                clusterId,
                raft,
                redis,
                http,
                peers,
                dataDir,
                join,
                electionTimeoutMillis,
                heartbeatMillis,
                snapshotEntries,
                snapshotTrailingEntries,
                maxBulkBytes,
                requestTimeoutMillis,
                storage,
                loops,
                security,
                databases,
                1);
    }

    /** A configuration with Redis' default 16 databases. */
    public KvNodeConfig(
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
            int loops,
            KvSecurity security) {
        this(
                id,
                clusterId,
                raft,
                redis,
                http,
                peers,
                dataDir,
                join,
                electionTimeoutMillis,
                heartbeatMillis,
                snapshotEntries,
                snapshotTrailingEntries,
                maxBulkBytes,
                requestTimeoutMillis,
                storage,
                loops,
                security,
                DEFAULT_DATABASES);
    }

    /** The event-loop threads to run: {@link #loops} or, when 0, one per core. */
    public int loopThreads() {
        return loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
    }

    /** An open node ({@link KvSecurity#NONE}): plaintext between nodes, no tokens or passwords. */
    public KvNodeConfig(
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
        this(
                id,
                clusterId,
                raft,
                redis,
                http,
                peers,
                dataDir,
                join,
                electionTimeoutMillis,
                heartbeatMillis,
                snapshotEntries,
                snapshotTrailingEntries,
                maxBulkBytes,
                requestTimeoutMillis,
                storage,
                loops,
                KvSecurity.NONE);
    }

    /** This configuration with {@code s} as its security settings. */
    public KvNodeConfig withSecurity(KvSecurity s) {
        return new KvNodeConfig(
                id,
                clusterId,
                raft,
                redis,
                http,
                peers,
                dataDir,
                join,
                electionTimeoutMillis,
                heartbeatMillis,
                snapshotEntries,
                snapshotTrailingEntries,
                maxBulkBytes,
                requestTimeoutMillis,
                storage,
                loops,
                s,
                databases,
                groups);
    }

    /** This configuration with its keys sharded over {@code n} groups. */
    public KvNodeConfig withGroups(int n) {
        return new KvNodeConfig(
                id,
                clusterId,
                raft,
                redis,
                http,
                peers,
                dataDir,
                join,
                electionTimeoutMillis,
                heartbeatMillis,
                snapshotEntries,
                snapshotTrailingEntries,
                maxBulkBytes,
                requestTimeoutMillis,
                storage,
                loops,
                security,
                databases,
                n);
    }

    public KvNodeConfig {
        if (security == null) {
            throw new StartupException("security settings must be given (KvSecurity.NONE for none)");
        }
        if (http != null
                && security.adminToken() == null
                && (http.getAddress() == null || !http.getAddress().isLoopbackAddress())) {
            throw new StartupException("--http " + http.getHostString()
                    + " is not a loopback address: the admin API can remove members and move leadership, so expose"
                    + " it beyond this machine only with --admin-token-file");
        }
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
        if (maxBulkBytes < 1 || maxBulkBytes > 64 << 20) {
            throw new StartupException("--max-bulk-bytes must be in [1, 67108864], was " + maxBulkBytes);
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
        if (databases < 1 || databases > 1024) {
            throw new StartupException("--databases must be in [1, 1024], was " + databases);
        }
        if (groups < 1 || groups > KeySlots.SLOTS) {
            throw new StartupException("--groups must be in [1, " + KeySlots.SLOTS + "], was " + groups);
        }
        if (snapshotTrailingEntries < 0) {
            throw new StartupException("--snapshot-trailing-entries must be >= 0, was " + snapshotTrailingEntries);
        }
    }
}
