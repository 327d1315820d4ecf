package io.raftmanager.metrics.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.raftmanager.node.NodeMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports a node's metrics to a Micrometer {@link MeterRegistry}, tagged with the group and node id. Meter
 * names start with {@code raft.}:
 *
 * <ul>
 *   <li>counters: {@code raft.proposals}, {@code raft.proposals.rejected} (by {@code reason}), {@code
 *       raft.entries.applied}, {@code raft.elections.won}, {@code raft.leader.changes}, {@code
 *       raft.divergences}, {@code raft.snapshot.bytes.sent} and {@code .received};
 *   <li>timers with percentile histograms: {@code raft.log.write} (tagged {@code sync}: the fsync
 *       latency is {@code sync=true}), {@code raft.apply} (one batch of entries), {@code
 *       raft.snapshot.capture}, {@code .write}, {@code .install} and {@code .transfer} (by {@code outcome});
 *   <li>gauges: {@code raft.commit.index}, {@code raft.proposals.pending}, and on the leader, per follower
 *       (tag {@code peer}), {@code raft.replication.match.index} and {@code raft.replication.lag} (entries
 *       the follower is behind the leader's last index).
 * </ul>
 *
 * <p>Pass it to {@link io.raftmanager.RaftNodeBuilder#metrics}. Safe for the node's worker threads.
 */
public final class MicrometerNodeMetrics implements NodeMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter proposals;
    private final Counter applied;
    private final Counter elections;
    private final Counter leaderChanges;
    private final Timer persistSynced;
    private final Timer persistUnsynced;
    private final Timer apply;
    private final AtomicLong commitIndex = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong diskFull = new AtomicLong();
    private final Counter snapshotBytesSent;
    private final Counter snapshotBytesReceived;
    private final Timer snapshotCapture;
    private final Timer snapshotWrite;
    private final Timer snapshotInstall;
    private final Map<Long, Follower> followers = new ConcurrentHashMap<>();

    /** One follower's progress as the leader last saw it. */
    private static final class Follower {
        final AtomicLong match = new AtomicLong();
        final AtomicLong lag = new AtomicLong();
    }

    private MicrometerNodeMetrics(MeterRegistry registry, long groupId, long nodeId) {
        this.registry = registry;
        this.tags = Tags.of("group", Long.toString(groupId), "node", Long.toString(nodeId));
        this.proposals = registry.counter("raft.proposals", tags);
        this.applied = registry.counter("raft.entries.applied", tags);
        this.elections = registry.counter("raft.elections.won", tags);
        this.leaderChanges = registry.counter("raft.leader.changes", tags);
        this.persistSynced = timer("raft.log.write", tags.and("sync", "true"));
        this.persistUnsynced = timer("raft.log.write", tags.and("sync", "false"));
        this.apply = timer("raft.apply", tags);
        this.snapshotBytesSent = registry.counter("raft.snapshot.bytes.sent", tags);
        this.snapshotBytesReceived = registry.counter("raft.snapshot.bytes.received", tags);
        this.snapshotCapture = timer("raft.snapshot.capture", tags);
        this.snapshotWrite = timer("raft.snapshot.write", tags);
        this.snapshotInstall = timer("raft.snapshot.install", tags);
        registry.gauge("raft.commit.index", tags, commitIndex);
        registry.gauge("raft.proposals.pending", tags, pending);
        registry.gauge("raft.disk.full", tags, diskFull);
    }

    /** Metrics for node {@code nodeId} of group {@code groupId}, registered in {@code registry}. */
    public static MicrometerNodeMetrics of(MeterRegistry registry, long groupId, long nodeId) {
        return new MicrometerNodeMetrics(registry, groupId, nodeId);
    }

    private Timer timer(String name, Tags t) {
        return Timer.builder(name).tags(t).publishPercentileHistogram().register(registry);
    }

    @Override
    public void recordProposals(int count) {
        proposals.increment(count);
    }

    @Override
    public void pendingProposals(int count) {
        pending.set(count);
    }

    @Override
    public void recordCommitted(long index) {
        commitIndex.accumulateAndGet(index, Math::max);
    }

    @Override
    public void recordApplied(int entries) {
        applied.increment(entries);
    }

    @Override
    public void recordApplyTime(long nanos) {
        apply.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recordReplication(long peer, long matchIndex, long lastIndex) {
        Follower f = followers.computeIfAbsent(peer, this::register);
        f.match.set(matchIndex);
        f.lag.set(Math.max(0, lastIndex - matchIndex));
    }

    private Follower register(long peer) {
        Follower f = new Follower();
        Tags t = tags.and("peer", Long.toString(peer));
        Gauge.builder("raft.replication.match.index", f.match, AtomicLong::get)
                .tags(t)
                .register(registry);
        Gauge.builder("raft.replication.lag", f.lag, AtomicLong::get)
                .tags(t)
                .baseUnit("entries")
                .register(registry);
        return f;
    }

    @Override
    public void recordElection() {
        elections.increment();
    }

    @Override
    public void recordLeaderChange() {
        leaderChanges.increment();
    }

    @Override
    public void recordPersist(long nanos, boolean synced) {
        (synced ? persistSynced : persistUnsynced).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recordRejected(String reason) {
        registry.counter("raft.proposals.rejected", tags.and("reason", reason)).increment();
    }

    @Override
    public void recordFailure(String where) {
        registry.counter("raft.node.failures", tags.and("where", where)).increment();
    }

    @Override
    public void diskFull(boolean full) {
        diskFull.set(full ? 1 : 0);
        if (full) {
            registry.counter("raft.disk.full.events", tags).increment();
        }
    }

    @Override
    public void recordDiskStallStepDown() {
        registry.counter("raft.disk.stall.stepdowns", tags).increment();
    }

    @Override
    public void recordDivergence() {
        registry.counter("raft.divergences", tags).increment();
    }

    @Override
    public void recordSnapshotTaken(long bytes, long captureNanos, long writeNanos) {
        snapshotCapture.record(captureNanos, TimeUnit.NANOSECONDS);
        snapshotWrite.record(writeNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recordSnapshotBytesSent(long bytes) {
        snapshotBytesSent.increment(bytes);
    }

    @Override
    public void recordSnapshotBytesReceived(long bytes) {
        snapshotBytesReceived.increment(bytes);
    }

    @Override
    public void recordSnapshotTransfer(long nanos, boolean succeeded) {
        Timer.builder("raft.snapshot.transfer")
                .tags(tags.and("outcome", succeeded ? "ok" : "failed"))
                .publishPercentileHistogram()
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recordSnapshotInstalled(long nanos) {
        snapshotInstall.record(nanos, TimeUnit.NANOSECONDS);
    }
}
