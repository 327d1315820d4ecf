package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
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
import io.raftmanager.node.RaftEngine;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
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
 * One KV server: a {@link RaftNode} over the Netty transport, the {@link KvStateMachine}, the RESP
 * server and the admin HTTP server, wired together with the library's public API only.
 */
public final class KvNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);
    /** The largest log entry: 2 MiB, or room for one value of --max-bulk-bytes. */
    private final long maxCommandBytes;

    private final KvNodeConfig config;
    private final KvStateMachine stateMachine;
    private final KvMetrics metrics;
    private final EventLoopGroup group;
    private final RaftEngine engine;
    private LogStorage storage;
    private SnapshotStore snapshots;
    private volatile NettyTransport transport;
    private RaftNode raft;
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
    private volatile Role role = Role.FOLLOWER;
    private volatile long term;
    private volatile long leader;
    private volatile Membership membership = Membership.getDefaultInstance();

    private KvNode(KvNodeConfig config) {
        this.config = config;
        this.respAuth = new io.raftmanager.examples.kv.security.RespAuth(
                config.security().requirepass());
        this.adminToken = new java.util.concurrent.atomic.AtomicReference<>(
                config.security().adminToken());
        this.maxCommandBytes = Math.max(2L << 20, 2L * config.maxBulkBytes() + (64 << 10));
        this.stateMachine = new KvStateMachine(this::memberAdded, config.databases(), System::currentTimeMillis);
        // One set of loops for Redis clients, Raft peers and the Raft group: no thread hand-off between them.
        this.group = EventLoops.create(config.loopThreads(), "raft-kv-n" + config.id());
        this.engine = EventLoops.engineOn(group, "raft-kv-n" + config.id());
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
    }

    private RaftNode buildRaft() {
        int tick = config.heartbeatMillis();
        return RaftNode.builder()
                .config(RaftConfig.builder()
                        .nodeId(config.id())
                        .clusterId(config.clusterId())
                        .tickMillis(tick)
                        .heartbeatTicks(1)
                        .electionTicks(Math.max(2, (config.electionTimeoutMillis() + tick - 1) / tick))
                        .maxMessageBytes(maxCommandBytes)
                        .snapshot(snapshotConfig(config))
                        .storageRecovery(!plantedNoStorageRecovery)
                        .build())
                .storage(storage)
                .snapshotStore(snapshots)
                .transport(transport)
                .stateMachine(stateMachine)
                .scheduler(engine)
                .metrics(metrics.raftMetrics(0, config.id()))
                .build();
    }

    private void startParts() {
        DataDir.Opened opened = DataDir.open(config.dataDir(), config.clusterId(), config.id());
        Path dir = opened.path();
        Set<Long> voters = config.join() ? Set.of() : config.peers().keySet();
        LogStorageFactory factory;
        try {
            factory = LogStorageFactory.forName(config.storage());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        storage = factory.open(dir, config.clusterId(), config.id(), voters);
        if (opened.loss() != null) {
            markRecovering(storage, opened.loss());
        }
        try {
            snapshots = factory.snapshotStore(storage);
        } catch (StorageException e) { // a snapshot file whose trailer does not verify
            reopenEmpty(factory, dir, voters, e);
        }
        Membership.Builder initial = Membership.newBuilder();
        voters.stream().sorted().forEach(initial::addVoters);
        membership = initial.build(); // until a configuration entry is applied
        Map<Long, InetSocketAddress> others = new HashMap<>(config.peers());
        others.remove(config.id());
        NettyTransportConfig.Builder tc = NettyTransportConfig.builder()
                .nodeId(config.id())
                .clusterId(config.clusterId())
                .bindAddress(config.raft())
                .peers(others)
                .servedGroups(Set.of(0L));
        KvSecurity security = config.security();
        if (security.peerTls() != null) {
            tc.tls(security.peerTls().peerConfig(security.verifyPeerHostname()));
        } else {
            tc.plaintext(); // the quick start's trusted network; docs/security.md shows the secure mode
        }
        transport = new NettyTransport(tc.build(), group);
        try {
            raft = buildRaft();
        } catch (SnapshotChecksumException e) {
            // The local snapshot is damaged and the log is compacted behind it: this node's state is lost.
            reopenEmpty(factory, dir, voters, e);
            raft = buildRaft();
        }
        raft.addListener(new RaftListener() {
            @Override
            public void onRoleChange(Role r, long t, long l) {
                roleChanged(r, t, l);
            }

            @Override
            public void onMembershipChange(Membership m) {
                membership = m;
            }
        });
        raft.start();
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

    /** Snapshots by entry count only (no byte trigger), so --snapshot-entries 0 means never. */
    static SnapshotConfig snapshotConfig(KvNodeConfig config) {
        return SnapshotConfig.builder()
                .everyEntries(config.snapshotEntries())
                .everyBytes(0)
                .trailingEntries(config.snapshotTrailingEntries())
                .build();
    }

    private void roleChanged(Role r, long t, long l) {
        boolean becameLeader = r == Role.LEADER && role != Role.LEADER;
        role = r;
        term = t;
        leader = l;
        if (becameLeader) {
            announce(t);
        }
    }

    /** A new leader records its client addresses in the log, so followers know where to forward. */
    private void announce(long forTerm) {
        if (role != Role.LEADER || term != forTerm || closed.get()) {
            return;
        }
        if (resp == null || (config.http() != null && admin == null)) {
            // Elected before the servers are listening (a restarted single node can be): announce once they are.
            group.schedule(() -> announce(forTerm), 50, TimeUnit.MILLISECONDS);
            return;
        }
        Announce.Builder a = Announce.newBuilder().setNodeId(config.id()).setRedisAddress(hostPort(redisAddress()));
        if (admin != null) {
            a.setHttpAddress(hostPort(admin.address()));
        }
        Announce wanted = a.build();
        if (wanted.equals(stateMachine.announced().get(config.id()))) {
            return;
        }
        KvCommand c = KvCommand.newBuilder().setAnnounce(wanted).build();
        raft.propose(c.toByteString()).whenComplete((r, e) -> {
            if (e != null && !(e.getCause() instanceof IndeterminateResultException)) {
                group.schedule(() -> announce(forTerm), 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The RESP address clients of {@code nodeId} use, if that node has announced it. */
    public Optional<InetSocketAddress> redisAddressOf(long nodeId) {
        Announce a = stateMachine.announcement(nodeId);
        return a == null ? Optional.empty() : Optional.of(parseHostPort(a.getRedisAddress()));
    }

    /** The admin HTTP address of {@code nodeId}, if it announced one when it led. */
    public Optional<InetSocketAddress> httpAddressOf(long nodeId) {
        Announce a = stateMachine.announcement(nodeId);
        return a == null || a.getHttpAddress().isEmpty()
                ? Optional.empty()
                : Optional.of(parseHostPort(a.getHttpAddress()));
    }

    /** The Raft address of {@code nodeId}: from --peers, or from the record logged when it was added. */
    public Optional<String> raftAddressOf(long nodeId) {
        InetSocketAddress a = config.peers().get(nodeId);
        return a != null
                ? Optional.of(hostPort(a))
                : Optional.ofNullable(stateMachine.memberAddresses().get(nodeId));
    }

    /** The configuration in effect on this node (the last one applied here). */
    public Membership membership() {
        return membership;
    }

    /** Logs {@code nodeId}'s Raft address, so that every node's transport can reach it once it is added. */
    public CompletableFuture<ByteString> recordMember(long nodeId, InetSocketAddress raftAddress) {
        return propose(KvCommand.newBuilder()
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

    /** Proposes a command on this node (it must lead); completes with the state machine's result. */
    public CompletableFuture<ByteString> propose(KvCommand command) {
        ByteString bytes = command.toByteString();
        if (bytes.size() > maxCommandBytes) {
            return CompletableFuture.failedFuture(new CommandTooLargeException(bytes.size(), maxCommandBytes));
        }
        return raft.propose(bytes);
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

    public RaftNode raft() {
        return raft;
    }

    public KvStateMachine stateMachine() {
        return stateMachine;
    }

    public KvMetrics metrics() {
        return metrics;
    }

    public NettyTransport transport() {
        return transport;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The leader this node knows of, 0 if none. */
    public long leader() {
        return leader;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
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
        if (raft != null) {
            raft.close();
        }
        if (transport != null) {
            transport.close();
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
