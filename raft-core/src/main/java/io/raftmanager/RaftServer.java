package io.raftmanager;

import io.raftmanager.node.DefaultRaftNode;
import io.raftmanager.node.ElectionPermits;
import io.raftmanager.node.ElectionTurns;
import io.raftmanager.node.NodeMetrics;
import io.raftmanager.node.Scheduler;
import io.raftmanager.node.WorkerHandle;
import io.raftmanager.node.WorkerKind;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.Transport;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server process hosting many Raft groups over one {@link Transport} and one {@link Scheduler} (by
 * default the process-wide {@link io.raftmanager.node.RaftEngine#shared() engine}). Groups are created and
 * removed while the others run; each has its own membership, {@link LogStorage}, {@link SnapshotStore} and
 * {@link StateMachine}. A group costs memory and work in proportion to its activity, never threads: every
 * group runs on the engine's fixed loops, disk and worker threads.
 *
 * <p>The transport is started once by {@link #start()} and its inbound messages are dispatched by group id;
 * a message for a group not hosted here (not created yet on this server, or removed) is dropped and counted
 * in {@link #droppedForUnknownGroups()}, as a lost message would be. A {@code NettyTransport}'s (module
 * raft-transport-netty) {@code servedGroups} must therefore accept
 * every group id the cluster may use, not only those hosted at the moment: it closes the connection on a
 * frame for a group it does not serve.
 *
 * <p>With {@link Builder#quiesceIdleGroups quiescence}, an idle group stops ticking and sending: its cost
 * while idle is memory only. The servers then exchange one keep-alive per server pair per heartbeat
 * window, and a server that stops being heard from for the {@linkplain Builder#nodeLivenessTimeoutMillis
 * liveness timeout} is suspected dead: every group quiesced here under a leader on it wakes and elects a
 * new leader as an unquiesced group would.
 *
 * <p>Thread-safe. Closing the server closes every group (stopping their threads and failing their pending
 * operations); like a {@link RaftNode} it closes nothing it was given (transport, scheduler, the groups'
 * storage, snapshot stores and state machines): whoever created them closes them, after the server.
 */
public final class RaftServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftServer.class);

    private final long nodeId;
    private final Transport transport;
    private final Scheduler scheduler;
    private final LongFunction<NodeMetrics> metrics;
    private final SplittableRandom random;
    private final GroupRouter router = new GroupRouter();
    private final ConcurrentHashMap<Long, HostedGroup> groups = new ConcurrentHashMap<>();
    private final HeartbeatCoalescer coalescer;
    private final boolean quiesce;
    /** Null when elections are not limited. */
    private final ElectionPermits electionPermits;
    /** Null unless {@link Builder#preferredLeaders}. */
    private final ElectionTurns electionTurns;
    /** Planted bug, set only by tests (ServerPlants): suspected servers wake no group. */
    volatile boolean plantedIgnoreSuspects;

    private WorkerHandle coalescerHandle;
    private boolean started;
    private boolean closed;

    private RaftServer(Builder b) {
        this.nodeId = b.nodeId;
        this.transport = b.transport;
        this.scheduler = b.scheduler;
        this.metrics = b.metrics;
        this.random = b.random;
        this.quiesce = b.quiesce;
        this.electionPermits = b.maxConcurrentElections == 0 ? null : new ElectionPermits(b.maxConcurrentElections);
        long livenessMillis = b.quiesce ? b.livenessTimeoutMillis() : 0;
        this.coalescer = b.coalesceMillis == 0
                ? null
                : new HeartbeatCoalescer(
                        nodeId,
                        transport,
                        scheduler,
                        TimeUnit.MILLISECONDS.toNanos(b.coalesceMillis),
                        TimeUnit.MILLISECONDS.toNanos(livenessMillis),
                        this::serverSuspected);
        if (b.quiesce) {
            router.trackLiveness(coalescer);
        }
        this.electionTurns =
                b.preferredLeaders ? new ElectionTurns(peer -> coalescer != null && coalescer.isSuspected(peer)) : null;
    }

    /** On the coalescer's worker: server {@code peer} went silent; wake the groups quiesced under it. */
    private void serverSuspected(long peer) {
        if (plantedIgnoreSuspects) {
            return;
        }
        for (HostedGroup g : groups.values()) {
            g.runtime().leaderServerSuspected(peer);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This server's node id: every group it hosts runs with it. */
    public long nodeId() {
        return nodeId;
    }

    /**
     * Starts the transport; groups can be created from now on. Idempotent.
     *
     * @throws ClosedException if the server was closed
     */
    public synchronized void start() {
        if (closed) {
            throw new ClosedException("server " + nodeId + " is closed");
        }
        if (!started) {
            if (coalescer != null) {
                coalescerHandle =
                        scheduler.start("raft-server-" + nodeId + "-heartbeats", coalescer, WorkerKind.LOOP, coalescer);
                coalescer.bind(coalescerHandle);
            }
            transport.start(router);
            started = true;
            LOG.info("server {} started", nodeId);
        }
    }

    /**
     * Creates and starts group {@code config.groupId()} on this server. Its storage is read here, so a group
     * that existed before a restart resumes with its persisted term, vote, log and membership; a new group
     * starts with the membership its storage was created with. Closing the returned node is the same as
     * {@link #removeGroup}.
     *
     * @param snapshotStore where the group's snapshots are kept; with a durable log, a durable store
     * @throws InvalidConfigException naming {@code nodeId} if the config is for another node, or {@code
     *     groupId} if the group is already hosted here
     * @throws ClosedException if the server is not started or is closed
     */
    public synchronized RaftNode createGroup(
            RaftConfig config, LogStorage storage, SnapshotStore snapshotStore, StateMachine stateMachine) {
        return create(config, storage, Objects.requireNonNull(snapshotStore, "snapshotStore"), stateMachine);
    }

    /**
     * Creates and starts a group whose snapshots go to its storage's companion store, as {@link
     * RaftNodeBuilder#snapshotStore} describes; otherwise as {@link #createGroup(RaftConfig, LogStorage,
     * SnapshotStore, StateMachine)}.
     *
     * @throws InvalidConfigException naming {@code snapshotStore} if the storage offers none and the state
     *     machine supports snapshots
     */
    public synchronized RaftNode createGroup(RaftConfig config, LogStorage storage, StateMachine stateMachine) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(stateMachine, "stateMachine");
        return create(config, storage, RaftNodeBuilder.snapshotStoreFor(storage, null, stateMachine), stateMachine);
    }

    private RaftNode create(
            RaftConfig config, LogStorage storage, SnapshotStore snapshotStore, StateMachine stateMachine) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(snapshotStore, "snapshotStore");
        Objects.requireNonNull(stateMachine, "stateMachine");
        if (closed || !started) {
            throw new ClosedException("server " + nodeId + " is " + (closed ? "closed" : "not started"));
        }
        InvalidConfigException.require(
                config.nodeId() == nodeId, "nodeId", "is " + config.nodeId() + " but this server is " + nodeId);
        long groupId = config.groupId();
        InvalidConfigException.require(!groups.containsKey(groupId), "groupId", groupId + " is already hosted here");
        GroupTransport view = new GroupTransport(groupId, transport, router, coalescer);
        DefaultRaftNode node = DefaultRaftNode.create(
                config,
                storage,
                snapshotStore,
                view,
                stateMachine,
                scheduler,
                random.split(),
                Objects.requireNonNull(metrics.apply(groupId), "metrics for group " + groupId));
        HostedGroup hosted = new HostedGroup(this, groupId, node, view);
        if (quiesce) {
            node.quiesceWhenIdle();
        }
        if (electionPermits != null) {
            node.limitElections(electionPermits);
        }
        if (electionTurns != null) {
            node.takeElectionTurns(electionTurns);
        }
        groups.put(groupId, hosted);
        node.start();
        LOG.info("server {} hosts group {} ({} groups)", nodeId, groupId, groups.size());
        return hosted;
    }

    /**
     * Stops group {@code groupId} on this server: its node is closed (pending operations fail as {@link
     * RaftNode#close()} describes) and its messages are dropped from now on. Its storage is the caller's and
     * is left open and unchanged, so creating the group again with it resumes the group (a log engine that
     * opens each group once, such as a RocksDB one, needs the old handle closed before it opens the group
     * again). Removing a group is local: to take this server out of the
     * group's membership, change the membership first.
     *
     * @return whether the group was hosted here
     */
    public boolean removeGroup(long groupId) {
        HostedGroup g;
        synchronized (this) {
            g = groups.remove(groupId);
        }
        if (g == null) {
            return false;
        }
        g.shutdown();
        LOG.info("server {} removed group {} ({} groups)", nodeId, groupId, groups.size());
        return true;
    }

    /** The node of group {@code groupId}, or null if it is not hosted here. */
    public RaftNode group(long groupId) {
        return groups.get(groupId);
    }

    /** The ids of the groups hosted here, in ascending order. */
    public Set<Long> groupIds() {
        return new TreeSet<>(groups.keySet());
    }

    /** How many groups are hosted here. */
    public int groupCount() {
        return groups.size();
    }

    /** How many of the groups hosted here are quiesced on this server now. */
    public int quiescedGroupCount() {
        int n = 0;
        for (HostedGroup g : groups.values()) {
            if (g.runtime().quiesced()) {
                n++;
            }
        }
        return n;
    }

    /**
     * The servers this one suspects dead now: not heard from within the liveness timeout (always empty
     * without {@linkplain Builder#quiesceIdleGroups quiescence}).
     */
    public Set<Long> suspectedServers() {
        return coalescer == null ? Set.of() : coalescer.suspected();
    }

    /**
     * Ticks at which one of the groups hosted here was due to campaign but waited because {@linkplain
     * Builder#maxConcurrentElections enough others} were campaigning, since start.
     */
    public long electionsDeferred() {
        return electionPermits == null ? 0 : electionPermits.deferrals();
    }

    /**
     * Ticks at which one of the groups hosted here was due to campaign but waited for a server before this
     * one in the group's order ({@link Builder#preferredLeaders}), since start.
     */
    public long electionsWaitingTheirTurn() {
        return electionTurns == null ? 0 : electionTurns.waits();
    }

    /**
     * The server group {@code groupId} prefers as its leader with {@link Builder#preferredLeaders}: its
     * voters in id order, the one at index {@code groupId mod n} (so leaders spread evenly); 0 without
     * voters. For an application that moves leaders back to where they belong after a failure.
     */
    public static long preferredLeader(long groupId, Collection<Long> voters) {
        List<Long> order = ElectionTurns.order(groupId, voters);
        return order.isEmpty() ? 0 : order.get(0);
    }

    /** Messages that arrived for a group not hosted here and were dropped, since start. */
    public long droppedForUnknownGroups() {
        return router.droppedUnknownGroup();
    }

    /**
     * Heartbeat batches sent and the heartbeats packed into them since start (both 0 unless the server
     * {@linkplain Builder#coalesceHeartbeatsMillis coalesces heartbeats}).
     */
    public HeartbeatStats heartbeatStats() {
        return coalescer == null
                ? new HeartbeatStats(0, 0)
                : new HeartbeatStats(coalescer.batchesSent(), coalescer.heartbeatsPacked());
    }

    /**
     * What heartbeat coalescing did since start.
     *
     * @param batchesSent batch messages sent (one per destination server per window at most)
     * @param heartbeatsPacked group heartbeats and heartbeat answers carried in them
     */
    public record HeartbeatStats(long batchesSent, long heartbeatsPacked) {}

    /** Closes every group; idempotent. The transport stays open: its creator closes it. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Long id : groupIds()) {
            HostedGroup g = groups.remove(id);
            if (g != null) {
                g.shutdown();
            }
        }
        if (coalescerHandle != null) {
            coalescerHandle.stop();
        }
        LOG.info("server {} closed", nodeId);
    }

    /** Sets up a {@link RaftServer}: {@link #nodeId} and {@link #transport} are required. */
    public static final class Builder {
        /** The default of {@link #maxConcurrentElections}. */
        public static final int DEFAULT_MAX_CONCURRENT_ELECTIONS = 64;

        private long nodeId;
        private Transport transport;
        private Scheduler scheduler = Scheduler.threads();
        private LongFunction<NodeMetrics> metrics = g -> NodeMetrics.NOOP;
        private SplittableRandom random = new SplittableRandom();
        private long coalesceMillis;
        private boolean quiesce;
        private long livenessMillis;
        private int maxConcurrentElections = DEFAULT_MAX_CONCURRENT_ELECTIONS;
        private boolean preferredLeaders;

        private Builder() {}

        /**
         * Lets idle groups quiesce (default off): once a group's leader has nothing in flight and every
         * member holds its whole committed log, the group stops ticking and sending until a proposal, a
         * read, a membership change, a transfer or a message wakes it. A group quiesced under a leader on a
         * server that goes silent for the {@linkplain #nodeLivenessTimeoutMillis liveness timeout} wakes and
         * elects. Needs {@link #coalesceHeartbeatsMillis} above 0 (the keep-alives ride on its batches), and
         * every server of the cluster configured alike.
         */
        public Builder quiesceIdleGroups(boolean value) {
            quiesce = value;
            return this;
        }

        /**
         * With {@linkplain #quiesceIdleGroups quiescence}: how long another server may stay silent before
         * the groups quiesced under a leader there wake (default 10 heartbeat windows). A quiesced group
         * whose leader dies elects within about this plus one or two election timeouts; keep it well above
         * the window, so a slow window is no false alarm (a false alarm only wakes groups).
         */
        public Builder nodeLivenessTimeoutMillis(long value) {
            InvalidConfigException.require(value >= 0, "nodeLivenessTimeoutMillis", "must be >= 0, was " + value);
            livenessMillis = value;
            return this;
        }

        private long livenessTimeoutMillis() {
            return livenessMillis != 0 ? livenessMillis : 10 * coalesceMillis;
        }

        /**
         * How many of this server's groups may campaign at once (default {@value
         * #DEFAULT_MAX_CONCURRENT_ELECTIONS}); 0 for no limit. A group whose election timeout runs out while
         * that many are campaigning waits for one of them to finish, a tick at a time. Thousands of groups
         * that time out together (at start, or when the server leading them dies) are then elected a batch
         * at a time in milliseconds each, instead of all campaigning at once, slowing every message past the
         * election timeout and splitting their votes round after round.
         */
        public Builder maxConcurrentElections(int value) {
            InvalidConfigException.require(value >= 0, "maxConcurrentElections", "must be >= 0, was " + value);
            maxConcurrentElections = value;
            return this;
        }

        /**
         * Lets the voters of each group take turns to campaign when it has no leader (default off): group
         * {@code g} prefers its voters in id order starting at index {@code g mod n} ({@link
         * #preferredLeader}); a server campaigns as soon as its election timeout runs out when every server
         * before it in that order is suspected dead (node liveness, see {@link #quiesceIdleGroups}), and
         * otherwise waits three election timeouts more for each one that is not. A new cluster then elects
         * each group once, on its preferred server (no split votes, no rebalancing), and when a server dies
         * one survivor per group campaigns for the groups it led. A preferred server that is up but cannot
         * win delays its groups' elections by that wait. Every server of the cluster configured alike.
         */
        public Builder preferredLeaders(boolean value) {
            preferredLeaders = value;
            return this;
        }

        /** This server's id, the same in every group it hosts; non-zero. */
        public Builder nodeId(long value) {
            nodeId = value;
            return this;
        }

        /** The transport every group shares; the server starts it, and its creator closes it after the server. */
        public Builder transport(Transport value) {
            transport = value;
            return this;
        }

        /** Threads and time for every group; default the shared {@link io.raftmanager.node.RaftEngine}. */
        public Builder scheduler(Scheduler value) {
            scheduler = value;
            return this;
        }

        /** Where each group reports its metrics, by group id; default nowhere. */
        public Builder metrics(LongFunction<NodeMetrics> value) {
            metrics = value;
            return this;
        }

        /**
         * Sends every group's heartbeats and heartbeat answers to one server as one message per {@code
         * windowMillis} (the first after a quiet window at once), so the message count between two servers no
         * longer grows with the number of groups; 0 (the default) sends them one by one. Every server of the
         * cluster must be a {@code RaftServer} of a version that unpacks them (it has {@code
         * HeartbeatBatch}). A heartbeat, and a read confirmed by one, may wait up to one window, so keep the
         * window well below the election timeout; a tick is a good choice.
         */
        public Builder coalesceHeartbeatsMillis(long windowMillis) {
            InvalidConfigException.require(
                    windowMillis >= 0, "coalesceHeartbeatsMillis", "must be >= 0, was " + windowMillis);
            coalesceMillis = windowMillis;
            return this;
        }

        /** The seed of every group's election jitter, to make elections reproducible in tests. */
        public Builder seed(long value) {
            random = new SplittableRandom(value);
            return this;
        }

        /**
         * Creates the server (not started).
         *
         * @throws InvalidConfigException if the node id is zero or a required part is missing
         */
        public RaftServer build() {
            InvalidConfigException.require(nodeId != 0, "nodeId", "must be non-zero");
            InvalidConfigException.require(transport != null, "transport", "is required");
            InvalidConfigException.require(scheduler != null, "scheduler", "is required");
            InvalidConfigException.require(metrics != null, "metrics", "is required");
            InvalidConfigException.require(
                    !quiesce || coalesceMillis > 0,
                    "quiesceIdleGroups",
                    "needs coalesceHeartbeatsMillis > 0: node liveness rides on the heartbeat batches");
            InvalidConfigException.require(
                    !quiesce || livenessTimeoutMillis() >= 2 * coalesceMillis,
                    "nodeLivenessTimeoutMillis",
                    "must be at least two heartbeat windows (" + 2 * coalesceMillis + " ms), was " + livenessMillis);
            return new RaftServer(this);
        }
    }
}
