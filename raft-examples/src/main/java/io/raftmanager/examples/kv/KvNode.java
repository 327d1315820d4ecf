package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.Membership;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.Role;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.examples.kv.admin.AdminServer;
import io.raftmanager.examples.kv.admin.KvMetrics;
import io.raftmanager.examples.kv.proto.Announce;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.Member;
import io.raftmanager.examples.kv.resp.RespServer;
import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.SecretFiles;
import io.raftmanager.examples.kv.security.TlsReloader;
import io.raftmanager.node.NodeMetrics;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.proto.HardState;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.StorageException;
import io.raftmanager.transport.netty.NettyTransport;
import io.raftmanager.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KV server: its Raft groups over one Netty transport (one {@link RaftNode}, or with {@code --groups
 * N} a {@link RaftServer} hosting N groups, each a {@link Shard} of the keys), the RESP server and the
 * admin HTTP server, wired together with the library's public API only.
 */
public final class KvNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);
    /** The largest log entry: 2 MiB, or room for one value of --max-bulk-bytes. */
    private final long maxCommandBytes;

    private final KvNodeConfig config;
    private final java.util.List<Shard> shards;
    private final KeySlots slots;
    private final KvMetrics metrics;
    /**
     * Groups campaigning at once on this node: RaftServer's default. 256 was tried with 10,000 groups and
     * re-elected the groups of a killed node in 65 s at load average 12 (64: 11-16 s at 5-8).
     */
    static final int MAX_CONCURRENT_ELECTIONS = RaftServer.Builder.DEFAULT_MAX_CONCURRENT_ELECTIONS;

    private final EventLoopGroup group;
    private final RaftEngine engine;
    private LogStorage storage;
    private SnapshotStore snapshots;
    private LogStorageFactory.GroupLogs groupLogs;
    private volatile java.util.function.Supplier<LogStorageFactory.SyncCounts> syncCounts;
    private RaftServer server;
    private volatile LeaderBalancer balancer;
    private volatile NettyTransport transport;
    private volatile RespServer resp;
    private volatile AdminServer admin;
    private ExpiryReaper reaper;
    private TlsReloader peerTlsReloader;
    private TlsReloader adminTokenReloader;
    private TlsReloader clientTlsReloader;
    /** The admin API's bearer token (null: none); replaced when its file changes. */
    private final java.util.concurrent.atomic.AtomicReference<io.raftmanager.examples.kv.security.Secret> adminToken;

    private final io.raftmanager.examples.kv.security.RespAuth respAuth;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private KvNode(KvNodeConfig config) {
        this.config = config;
        this.respAuth = new io.raftmanager.examples.kv.security.RespAuth(
                config.security().requirepass());
        this.adminToken = new java.util.concurrent.atomic.AtomicReference<>(
                config.security().adminToken());
        this.maxCommandBytes = Math.max(2L << 20, 2L * config.maxBulkBytes() + (64 << 10));
        this.slots = new KeySlots(config.groups());
        Membership initial = Membership.ofVoters(
                (config.join() ? Set.<Long>of() : config.peers().keySet())
                        .stream().mapToLong(Long::longValue).toArray());
        java.util.List<Shard> list = new java.util.ArrayList<>(config.groups());
        for (int g = 0; g < config.groups(); g++) {
            list.add(new Shard(
                    g,
                    new KvStateMachine(this::memberAdded, config.databases(), System::currentTimeMillis),
                    maxCommandBytes,
                    initial, // until a configuration entry is applied
                    this::announce));
        }
        this.shards = java.util.List.copyOf(list);
        // One set of loops for Redis clients, Raft peers and the Raft group: no thread hand-off between them.
        this.group = EventLoops.create(config.loopThreads(), "raft-kv-n" + config.id());
        // Two disk threads whatever the group count: they hand writes to the RocksDB engine's committer
        // thread without waiting for the fsync, so every group's pending writes share one sync.
        this.engine = EventLoops.engineOn(group, "raft-kv-n" + config.id(), 2);
        this.metrics = new KvMetrics(this);
    }

    /**
     * Starts a node: checks the data directory, opens the log, starts Raft, then the RESP and HTTP servers.
     *
     * @throws StartupException with a one-line reason when it cannot
     */
    public static KvNode start(KvNodeConfig config) {
        KvNode node = new KvNode(config);
        try {
            node.startParts();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e instanceof StartupException ? e : new StartupException(oneLine(e), e);
        }
    }

    /**
     * Planted bug for tests only (KvStorageFaultTest): start without storage-fault recovery, trusting an
     * empty or damaged disk at once, to show the test catches the lost write.
     */
    static volatile boolean plantedNoStorageRecovery;

    /**
     * The data directory shows the node's state was lost: record it durably, so the node recovers from its
     * peers before it votes, now and after any restart until it has (docs/storage-faults.md).
     */
    private static void markRecovering(LogStorage storage, String loss) {
        HardState hs = storage.initialState().hardState();
        if (!hs.getRecovering()) {
            LOG.warn("storage lost: {}; this node recovers from its peers before it votes again", loss);
            storage.write(new LogBatch(hs.toBuilder().setRecovering(true).build(), List.of(), true));
        }
    }

    /** Sets the damaged log and snapshots aside and starts this node empty and recovering from its peers. */
    private void reopenEmpty(LogStorageFactory factory, Path dir, Set<Long> voters, RuntimeException damage) {
        storage.close();
        storage = factory.setAsideAndOpenEmpty(dir, config.clusterId(), config.id(), voters, damage);
        snapshots = factory.snapshotStore(storage);
        countSyncs(factory, storage);
    }

    private void countSyncs(LogStorageFactory factory, LogStorage log) {
        syncCounts = () -> factory.syncCounts(log);
    }

    private RaftNode buildRaft(Shard only) {
        return RaftNode.builder()
                .config(raftConfig(0))
                .storage(storage)
                .snapshotStore(snapshots)
                .transport(transport)
                .stateMachine(only.stateMachine())
                .scheduler(engine)
                .metrics(metrics.raftMetrics(0, config.id()))
                .build();
    }

    private RaftNode createGroup(Shard s) {
        int g = s.index();
        return server.createGroup(
                raftConfig(g), groupLogs.logs().get(g), groupLogs.snapshots().get(g), s.stateMachine());
    }

    private void startParts() {
        DataDir.Opened opened = DataDir.open(config.dataDir(), config.clusterId(), config.id(), config.groups());
        Path dir = opened.path();
        Set<Long> voters = config.join() ? Set.of() : config.peers().keySet();
        LogStorageFactory factory;
        try {
            factory = LogStorageFactory.forName(config.storage());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        Map<Long, InetSocketAddress> others = new HashMap<>(config.peers());
        others.remove(config.id());
        NettyTransportConfig.Builder tc = NettyTransportConfig.builder()
                .nodeId(config.id())
                .clusterId(config.clusterId())
                .bindAddress(config.raft())
                .peers(others)
                .servedGroups(g -> g >= 0 && g < config.groups());
        KvSecurity security = config.security();
        if (security.peerTls() != null) {
            tc.tls(security.peerTls().peerConfig(security.verifyPeerHostname()));
        } else {
            tc.plaintext(); // the quick start's trusted network; docs/security.md shows the secure mode
        }
        transport = new NettyTransport(tc.build(), group);
        if (config.groups() == 1) {
            storage = factory.open(dir, config.clusterId(), config.id(), voters);
            countSyncs(factory, storage);
            if (opened.loss() != null) {
                markRecovering(storage, opened.loss());
            }
            try {
                snapshots = factory.snapshotStore(storage);
            } catch (StorageException e) { // a snapshot file whose trailer does not verify
                reopenEmpty(factory, dir, voters, e);
            }
            Shard only = shards.get(0);
            RaftNode raft;
            try {
                raft = buildRaft(only);
            } catch (SnapshotChecksumException e) {
                // The local snapshot is damaged and the log is compacted behind it: this node's state is lost.
                reopenEmpty(factory, dir, voters, e);
                raft = buildRaft(only);
            }
            only.attach(raft);
            raft.start();
        } else {
            groupLogs = factory.openGroups(dir, config.clusterId(), config.id(), voters, config.groups());
            syncCounts = groupLogs.syncs();
            if (opened.loss() != null) {
                groupLogs.logs().forEach(log -> markRecovering(log, opened.loss()));
            }
            server = RaftServer.builder()
                    .nodeId(config.id())
                    .transport(transport)
                    .scheduler(engine)
                    .coalesceHeartbeatsMillis(coalesceMillis(config))
                    // Idle groups stop ticking and heartbeating: with thousands of groups the node idles.
                    // A node silent for an election timeout is taken for dead and the groups quiesced
                    // under its leaders wake and elect (a shorter timeout would mistake a busy node for a
                    // dead one and wake thousands of groups at once).
                    .quiesceIdleGroups(true)
                    .nodeLivenessTimeoutMillis(config.electionTimeoutMillis())
                    .maxConcurrentElections(Integer.getInteger("raftkv.maxElections", MAX_CONCURRENT_ELECTIONS))
                    // Each group campaigns first on the node the balancer prefers for it: a new cluster
                    // elects every group once, where it belongs, and a dead node's groups on one survivor.
                    .preferredLeaders(!Boolean.getBoolean("raftkv.noElectionTurns"))
                    // group 0's library metrics only: one tagged series set per group would grow with N
                    .metrics(g -> g == 0 ? metrics.raftMetrics(0, config.id()) : NodeMetrics.NOOP)
                    .build();
            server.start();
            for (Shard s : shards) {
                int g = s.index();
                RaftNode raft;
                try {
                    raft = createGroup(s);
                } catch (SnapshotChecksumException e) {
                    // This group's local snapshot is damaged and its log compacted behind it: its state here is
                    // lost. Only this group is set aside and relearned; the others start as they are.
                    groupLogs.reset().reset(g, e);
                    raft = createGroup(s);
                }
                s.attach(raft);
            }
            balancer = new LeaderBalancer(this, group);
            LOG.info("node {} hosts {} groups", config.id(), config.groups());
        }
        if (security.peerTls() != null) {
            NettyTransport t = transport;
            peerTlsReloader = new TlsReloader(
                    "node " + config.id() + " peer TLS",
                    security.peerTls().all(),
                    security.tlsReloadPollMillis(),
                    t::reloadTls,
                    metrics::tlsReloaded);
        }
        Path tokenFile = security.adminTokenFile();
        if (tokenFile != null) {
            adminTokenReloader = new TlsReloader(
                    "node " + config.id() + " admin token",
                    List.of(tokenFile),
                    security.tlsReloadPollMillis(),
                    () -> adminToken.set(SecretFiles.readSecret("--admin-token-file", tokenFile)),
                    metrics::adminTokenReloaded);
        }
        resp = RespServer.start(this, group);
        if (security.clientTls() != null) {
            RespServer r = resp;
            clientTlsReloader = new TlsReloader(
                    "node " + config.id() + " client TLS",
                    security.clientTls().all(),
                    security.tlsReloadPollMillis(),
                    r::reloadTls,
                    metrics::tlsReloaded);
        }
        reaper = new ExpiryReaper(this, group);
        if (config.http() != null) {
            admin = AdminServer.start(this);
        }
    }

    private RaftConfig raftConfig(long groupId) {
        int tick = config.heartbeatMillis();
        return RaftConfig.builder()
                .nodeId(config.id())
                .clusterId(config.clusterId())
                .groupId(groupId)
                .tickMillis(tick)
                .heartbeatTicks(1)
                .electionTicks(Math.max(2, (config.electionTimeoutMillis() + tick - 1) / tick))
                .maxMessageBytes(maxCommandBytes)
                .snapshot(snapshotConfig(config))
                .storageRecovery(!plantedNoStorageRecovery)
                .build();
    }

    /**
     * One heartbeat message per peer per window carries every group's heartbeats. A ReadIndex confirmation
     * rides on heartbeats, so the window is short: it bounds the wait a linearizable read may add.
     */
    static long coalesceMillis(KvNodeConfig config) {
        return Math.max(1, Math.min(10, config.heartbeatMillis() / 2));
    }

    /** Snapshots by entry count only (no byte trigger), so --snapshot-entries 0 means never. */
    static SnapshotConfig snapshotConfig(KvNodeConfig config) {
        return SnapshotConfig.builder()
                .everyEntries(config.snapshotEntries())
                .everyBytes(0)
                .trailingEntries(config.snapshotTrailingEntries())
                .build();
    }

    /** A new leader records its client addresses in the group's log, so followers know where to forward. */
    private void announce(Shard shard, long forTerm) {
        if (!shard.isLeader() || shard.term() != forTerm || closed.get()) {
            return;
        }
        if (resp == null || (config.http() != null && admin == null)) {
            // Elected before the servers are listening (a restarted single node can be): announce once they are.
            group.schedule(() -> announce(shard, forTerm), 50, TimeUnit.MILLISECONDS);
            return;
        }
        Announce.Builder a = Announce.newBuilder().setNodeId(config.id()).setRedisAddress(hostPort(redisAddress()));
        if (admin != null) {
            a.setHttpAddress(hostPort(admin.address()));
        }
        Announce wanted = a.build();
        if (wanted.equals(shard.stateMachine().announced().get(config.id()))) {
            return;
        }
        KvCommand c = KvCommand.newBuilder().setAnnounce(wanted).build();
        shard.raft().propose(c.toByteString()).whenComplete((r, e) -> {
            if (e != null && !(e.getCause() instanceof IndeterminateResultException)) {
                group.schedule(() -> announce(shard, forTerm), 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** What {@code nodeId} announced as a leader: in {@code first}'s group if there, else in any group. */
    private Announce announcementOf(Shard first, long nodeId) {
        Announce a = first.stateMachine().announcement(nodeId);
        for (int i = 0; a == null && i < shards.size(); i++) {
            a = shards.get(i).stateMachine().announcement(nodeId);
        }
        return a;
    }

    /** The RESP address clients of {@code nodeId} use, if that node has announced it. */
    public Optional<InetSocketAddress> redisAddressOf(long nodeId) {
        return redisAddressOf(shards.get(0), nodeId);
    }

    /** As {@link #redisAddressOf(long)}, looking first in {@code shard}'s group (which that node leads). */
    public Optional<InetSocketAddress> redisAddressOf(Shard shard, long nodeId) {
        Announce a = announcementOf(shard, nodeId);
        return a == null ? Optional.empty() : Optional.of(parseHostPort(a.getRedisAddress()));
    }

    /** The admin HTTP address of {@code nodeId}, if it announced one when it led. */
    public Optional<InetSocketAddress> httpAddressOf(long nodeId) {
        Announce a = announcementOf(shards.get(0), nodeId);
        return a == null || a.getHttpAddress().isEmpty()
                ? Optional.empty()
                : Optional.of(parseHostPort(a.getHttpAddress()));
    }

    /** The Raft address of {@code nodeId}: from --peers, or from the record logged when it was added. */
    public Optional<String> raftAddressOf(long nodeId) {
        InetSocketAddress a = config.peers().get(nodeId);
        if (a != null) {
            return Optional.of(hostPort(a));
        }
        // Logged in every group a server was added to; group 0 first, as with one group.
        for (Shard s : shards) {
            String recorded = s.stateMachine().memberAddress(nodeId);
            if (recorded != null) {
                return Optional.of(recorded);
            }
        }
        return Optional.empty();
    }

    /** The configuration in effect on this node (the last one applied here) in group 0. */
    public Membership membership() {
        return shards.get(0).membership();
    }

    /** Logs {@code nodeId}'s Raft address, so that every node's transport can reach it once it is added. */
    public CompletableFuture<ByteString> recordMember(long nodeId, InetSocketAddress raftAddress) {
        return recordMember(shards.get(0), nodeId, raftAddress);
    }

    /**
     * Logs {@code nodeId}'s Raft address in {@code shard}'s group (this node must lead it): every node applies
     * it before a later configuration change of that group names the new server.
     */
    public CompletableFuture<ByteString> recordMember(Shard shard, long nodeId, InetSocketAddress raftAddress) {
        return shard.propose(KvCommand.newBuilder()
                .setMember(Member.newBuilder().setNodeId(nodeId).setRaftAddress(hostPort(raftAddress)))
                .build());
    }

    /** A member record was applied: teach the transport the address (runs on the applying thread). */
    private void memberAdded(Member m) {
        if (m.getNodeId() == config.id() || transport == null) {
            return;
        }
        try {
            transport.addPeer(m.getNodeId(), parseHostPort(m.getRaftAddress()));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring member record for node {}: {}", m.getNodeId(), e.getMessage());
        }
    }

    /** Proposes a command in group 0 (this node must lead it); completes with the state machine's result. */
    public CompletableFuture<ByteString> propose(KvCommand command) {
        return shards.get(0).propose(command);
    }

    /** Reloads the peer certificates now (what SIGHUP does); completes when done. Null in plaintext. */
    public java.util.concurrent.Future<?> reloadPeerTls() {
        return peerTlsReloader == null ? null : peerTlsReloader.reloadNow("requested");
    }

    /** Re-reads the --client-tls files now (as SIGHUP does); null when the RESP port has no TLS. */
    public java.util.concurrent.Future<?> reloadClientTls() {
        return clientTlsReloader == null ? null : clientTlsReloader.reloadNow("requested");
    }

    /** The bearer token the admin API wants now, or null when it is open. */
    public io.raftmanager.examples.kv.security.Secret adminToken() {
        return adminToken.get();
    }

    /** Re-reads the admin token file now (as SIGHUP does); null when the token is not from a file. */
    public java.util.concurrent.Future<?> reloadAdminToken() {
        return adminTokenReloader == null ? null : adminTokenReloader.reloadNow("requested");
    }

    /** The AUTH rules of this node's RESP port (open when no password is set). */
    public io.raftmanager.examples.kv.security.RespAuth respAuth() {
        return respAuth;
    }

    public KvNodeConfig config() {
        return config;
    }

    /** Group 0's replica (the only group without --groups). */
    public RaftNode raft() {
        return shards.get(0).raft();
    }

    /** Group 0's state machine (the only group without --groups). */
    public KvStateMachine stateMachine() {
        return shards.get(0).stateMachine();
    }

    /** Leadership transfers this node started to spread the groups' leaders (0 with one group). */
    /** The log engine's fsyncs and the synced writes they covered, so far (zeros before start or if not counted). */
    public LogStorageFactory.SyncCounts logSyncs() {
        java.util.function.Supplier<LogStorageFactory.SyncCounts> s = syncCounts;
        return s == null ? LogStorageFactory.SyncCounts.NONE : s.get();
    }

    public long leaderTransfers() {
        return balancer == null ? 0 : balancer.transfers();
    }

    /** Every group this node hosts, by group id. */
    public java.util.List<Shard> shards() {
        return shards;
    }

    /** The group holding {@code key}. */
    public Shard shardOf(ByteString key) {
        return shards.get(slots.groupOf(key));
    }

    public KeySlots slots() {
        return slots;
    }

    /** How many of this node's groups are quiesced now (0 with one group, which never quiesces). */
    public int quiescedGroups() {
        RaftServer s = server;
        return s == null ? 0 : s.quiescedGroupCount();
    }

    public KvMetrics metrics() {
        return metrics;
    }

    public NettyTransport transport() {
        return transport;
    }

    /** This node's role in group 0. */
    public Role role() {
        return shards.get(0).role();
    }

    public long term() {
        return shards.get(0).term();
    }

    /** The leader of group 0 this node knows of, 0 if none. */
    public long leader() {
        return shards.get(0).leader();
    }

    public boolean isLeader() {
        return shards.get(0).isLeader();
    }

    public InetSocketAddress redisAddress() {
        return resp.address();
    }

    public InetSocketAddress httpAddress() {
        return admin == null ? null : admin.address();
    }

    public static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** Parses host:port; throws IllegalArgumentException with a readable message. */
    public static InetSocketAddress parseHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + s + "' is not host:port");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' has no numeric port", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + s + "' has a port outside 0-65535");
        }
        return new InetSocketAddress(s.substring(0, colon), port);
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** Stops the servers, then Raft, then the transport and the log. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (adminTokenReloader != null) {
            adminTokenReloader.close();
        }
        if (clientTlsReloader != null) {
            clientTlsReloader.close();
        }
        if (peerTlsReloader != null) {
            peerTlsReloader.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (reaper != null) {
            reaper.close();
        }
        if (resp != null) {
            resp.close();
        }
        if (balancer != null) {
            balancer.close();
        }
        if (server != null) {
            server.close(); // every group; the transport is ours, closed below
        }
        RaftNode only = config.groups() == 1 ? shards.get(0).raft() : null;
        if (only != null) {
            only.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (groupLogs != null) {
            groupLogs.close();
        }
        if (snapshots != null) {
            snapshots.close();
        }
        if (storage != null) {
            storage.close();
        }
        engine.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
        LOG.debug("node {} closed", config.id());
    }
}
