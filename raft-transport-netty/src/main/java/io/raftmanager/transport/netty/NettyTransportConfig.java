package io.raftmanager.transport.netty;

import io.raftmanager.InvalidConfigException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;
import java.util.random.RandomGenerator;

/**
 * The immutable, validated configuration of a {@link NettyTransport}. Build it with {@link #builder()};
 * every limit has a named default and units are part of the names.
 *
 * @param nodeId this server's id; non-zero. Inbound frames must be addressed to it
 * @param clusterId the cluster every inbound frame must carry; non-empty
 * @param bindAddress where the server listens; port 0 picks a free port ({@link NettyTransport#boundAddress()})
 * @param peers the initial address book, peer id to address; must not contain {@code nodeId}. Changed at
 *     runtime through {@link NettyTransport#addPeer} and {@link NettyTransport#removePeer}. Inbound frames
 *     are accepted only from ids in the current address book
 * @param servedGroups which Raft group ids this server serves; frames for any other group are refused
 * @param tls mutual-TLS settings; {@code null} exactly when {@code plaintext} is true
 * @param plaintext true to run without TLS; must be chosen explicitly
 * @param maxFrameBytes the largest serialized message accepted or sent, excluding the 4-byte length prefix
 * @param peerQueueBytes per peer, the bytes of ordinary messages that may wait to be written; beyond it
 *     messages are dropped. Must be at least {@code maxFrameBytes}
 * @param snapshotQueueBytes the same bound for the separate snapshot lane ({@code install_snapshot_request})
 * @param connectTimeoutMillis how long one connection attempt may take
 * @param reconnectBackoffMinMillis the delay after the first failed attempt; it doubles per failure
 * @param reconnectBackoffMaxMillis the cap of the delay between attempts
 * @param ioThreads the event-loop threads shared by the server and every outbound connection
 * @param nativeTransport use epoll when it is available (NIO otherwise, or when false)
 * @param jitterRandom the source of reconnect jitter; accessed under a lock, so any generator will do.
 *     Inject a seeded one for reproducible tests
 */
public record NettyTransportConfig(
        long nodeId,
        String clusterId,
        InetSocketAddress bindAddress,
        Map<Long, InetSocketAddress> peers,
        LongPredicate servedGroups,
        TlsConfig tls,
        boolean plaintext,
        int maxFrameBytes,
        long peerQueueBytes,
        long snapshotQueueBytes,
        int connectTimeoutMillis,
        long reconnectBackoffMinMillis,
        long reconnectBackoffMaxMillis,
        int ioThreads,
        boolean nativeTransport,
        RandomGenerator jitterRandom) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;
    public static final long DEFAULT_PEER_QUEUE_BYTES = 16L << 20;
    public static final long DEFAULT_SNAPSHOT_QUEUE_BYTES = 8L << 20;
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 3_000;
    public static final long DEFAULT_RECONNECT_BACKOFF_MIN_MILLIS = 50;
    public static final long DEFAULT_RECONNECT_BACKOFF_MAX_MILLIS = 5_000;
    public static final int DEFAULT_IO_THREADS = 2;

    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    public NettyTransportConfig {
        InvalidConfigException.require(nodeId != 0, "nodeId", "must be non-zero");
        InvalidConfigException.require(clusterId != null && !clusterId.isEmpty(), "clusterId", "must be non-empty");
        InvalidConfigException.require(bindAddress != null, "bindAddress", "must be set");
        InvalidConfigException.require(peers != null, "peers", "must be set");
        for (Map.Entry<Long, InetSocketAddress> e : peers.entrySet()) {
            InvalidConfigException.require(e.getKey() != null && e.getKey() != 0, "peers", "ids must be non-zero");
            InvalidConfigException.require(e.getKey() != nodeId, "peers", "must not contain this node's id " + nodeId);
            InvalidConfigException.require(
                    e.getValue() != null, "peers", "address of peer " + e.getKey() + " must be set");
        }
        peers = Map.copyOf(peers);
        InvalidConfigException.require(servedGroups != null, "servedGroups", "must be set");
        InvalidConfigException.require(
                plaintext == (tls == null),
                "tls",
                plaintext ? "must be null when plaintext is enabled" : "must be set unless plaintext is enabled");
        InvalidConfigException.require(maxFrameBytes >= 64, "maxFrameBytes", "must be >= 64, was " + maxFrameBytes);
        InvalidConfigException.require(
                maxFrameBytes <= (1 << 30), "maxFrameBytes", "must be <= 1 GiB, was " + maxFrameBytes);
        InvalidConfigException.require(
                peerQueueBytes >= maxFrameBytes + 4L,
                "peerQueueBytes",
                "must be >= maxFrameBytes + 4 (" + (maxFrameBytes + 4L) + "), was " + peerQueueBytes);
        InvalidConfigException.require(
                snapshotQueueBytes >= maxFrameBytes + 4L,
                "snapshotQueueBytes",
                "must be >= maxFrameBytes + 4 (" + (maxFrameBytes + 4L) + "), was " + snapshotQueueBytes);
        InvalidConfigException.require(
                connectTimeoutMillis >= 1, "connectTimeoutMillis", "must be >= 1, was " + connectTimeoutMillis);
        InvalidConfigException.require(
                reconnectBackoffMinMillis >= 1,
                "reconnectBackoffMinMillis",
                "must be >= 1, was " + reconnectBackoffMinMillis);
        InvalidConfigException.require(
                reconnectBackoffMaxMillis >= reconnectBackoffMinMillis,
                "reconnectBackoffMaxMillis",
                "must be >= reconnectBackoffMinMillis (" + reconnectBackoffMinMillis + "), was "
                        + reconnectBackoffMaxMillis);
        InvalidConfigException.require(ioThreads >= 1, "ioThreads", "must be >= 1, was " + ioThreads);
        InvalidConfigException.require(jitterRandom != null, "jitterRandom", "must be set");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder initialised with this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .nodeId(nodeId)
                .clusterId(clusterId)
                .bindAddress(bindAddress)
                .peers(peers)
                .servedGroups(servedGroups)
                .maxFrameBytes(maxFrameBytes)
                .peerQueueBytes(peerQueueBytes)
                .snapshotQueueBytes(snapshotQueueBytes)
                .connectTimeoutMillis(connectTimeoutMillis)
                .reconnectBackoffMinMillis(reconnectBackoffMinMillis)
                .reconnectBackoffMaxMillis(reconnectBackoffMaxMillis)
                .ioThreads(ioThreads)
                .nativeTransport(nativeTransport)
                .jitterRandom(jitterRandom);
        return plaintext ? b.plaintext() : b.tls(tls);
    }

    /** Builds a {@link NettyTransportConfig}; {@link #build()} validates. */
    public static final class Builder {
        private long nodeId;
        private String clusterId;
        private InetSocketAddress bindAddress;
        private Map<Long, InetSocketAddress> peers = Map.of();
        private LongPredicate servedGroups;
        private TlsConfig tls;
        private boolean plaintext;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private long peerQueueBytes = DEFAULT_PEER_QUEUE_BYTES;
        private long snapshotQueueBytes = DEFAULT_SNAPSHOT_QUEUE_BYTES;
        private int connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
        private long reconnectBackoffMinMillis = DEFAULT_RECONNECT_BACKOFF_MIN_MILLIS;
        private long reconnectBackoffMaxMillis = DEFAULT_RECONNECT_BACKOFF_MAX_MILLIS;
        private int ioThreads = DEFAULT_IO_THREADS;
        private boolean nativeTransport = true;
        private RandomGenerator jitterRandom;

        private Builder() {}

        public Builder nodeId(long v) {
            this.nodeId = v;
            return this;
        }

        public Builder clusterId(String v) {
            this.clusterId = v;
            return this;
        }

        public Builder bindAddress(InetSocketAddress v) {
            this.bindAddress = v;
            return this;
        }

        public Builder peers(Map<Long, InetSocketAddress> v) {
            this.peers = v;
            return this;
        }

        /** Serves exactly the given group ids (copied). */
        public Builder servedGroups(Set<Long> groups) {
            Set<Long> copy = Set.copyOf(groups);
            this.servedGroups = copy::contains;
            return this;
        }

        /** Serves the group ids the predicate accepts; it is called from I/O threads and must be thread-safe. */
        public Builder servedGroups(LongPredicate groups) {
            this.servedGroups = groups;
            return this;
        }

        /** Enables mutual TLS (and turns plaintext off). */
        public Builder tls(TlsConfig v) {
            this.tls = v;
            this.plaintext = false;
            return this;
        }

        /** Runs without encryption or authentication of peers; for tests and trusted networks only. */
        public Builder plaintext() {
            this.tls = null;
            this.plaintext = true;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            this.maxFrameBytes = v;
            return this;
        }

        public Builder peerQueueBytes(long v) {
            this.peerQueueBytes = v;
            return this;
        }

        public Builder snapshotQueueBytes(long v) {
            this.snapshotQueueBytes = v;
            return this;
        }

        public Builder connectTimeoutMillis(int v) {
            this.connectTimeoutMillis = v;
            return this;
        }

        public Builder reconnectBackoffMinMillis(long v) {
            this.reconnectBackoffMinMillis = v;
            return this;
        }

        public Builder reconnectBackoffMaxMillis(long v) {
            this.reconnectBackoffMaxMillis = v;
            return this;
        }

        public Builder ioThreads(int v) {
            this.ioThreads = v;
            return this;
        }

        public Builder nativeTransport(boolean v) {
            this.nativeTransport = v;
            return this;
        }

        public Builder jitterRandom(RandomGenerator v) {
            this.jitterRandom = v;
            return this;
        }

        public NettyTransportConfig build() {
            return new NettyTransportConfig(
                    nodeId,
                    clusterId,
                    bindAddress,
                    peers,
                    servedGroups,
                    tls,
                    plaintext,
                    maxFrameBytes,
                    peerQueueBytes,
                    snapshotQueueBytes,
                    connectTimeoutMillis,
                    reconnectBackoffMinMillis,
                    reconnectBackoffMaxMillis,
                    ioThreads,
                    nativeTransport,
                    jitterRandom != null ? jitterRandom : new SplittableRandom());
        }
    }
}
