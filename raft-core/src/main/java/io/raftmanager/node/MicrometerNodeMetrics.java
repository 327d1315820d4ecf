package io.raftmanager.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports a node's metrics to a Micrometer {@link MeterRegistry}, tagged with the group and node id.
 * Meter names start with {@code raft.}: proposals, rejections by reason, commit index, applied entries,
 * elections won, leader changes, pending proposals, storage write latency (tagged by sync), and
 * snapshots: bytes sent and received, capture pause, write, transfer (tagged by outcome) and install times.
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
    private final AtomicLong commitIndex = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong diskFull = new AtomicLong();
    private final Counter snapshotBytesSent;
    private final Counter snapshotBytesReceived;
    private final Timer snapshotCapture;
    private final Timer snapshotWrite;
    private final Timer snapshotInstall;

    private MicrometerNodeMetrics(MeterRegistry registry, long groupId, long nodeId) {
        this.registry = registry;
        this.tags = Tags.of("group", Long.toString(groupId), "node", Long.toString(nodeId));
        this.proposals = registry.counter("raft.proposals", tags);
        this.applied = registry.counter("raft.entries.applied", tags);
        this.elections = registry.counter("raft.elections.won", tags);
        this.leaderChanges = registry.counter("raft.leader.changes", tags);
        this.persistSynced = registry.timer("raft.log.write", tags.and("sync", "true"));
        this.persistUnsynced = registry.timer("raft.log.write", tags.and("sync", "false"));
        this.snapshotBytesSent = registry.counter("raft.snapshot.bytes.sent", tags);
        this.snapshotBytesReceived = registry.counter("raft.snapshot.bytes.received", tags);
        this.snapshotCapture = registry.timer("raft.snapshot.capture", tags);
        this.snapshotWrite = registry.timer("raft.snapshot.write", tags);
        this.snapshotInstall = registry.timer("raft.snapshot.install", tags);
        registry.gauge("raft.commit.index", tags, commitIndex);
        registry.gauge("raft.proposals.pending", tags, pending);
        registry.gauge("raft.disk.full", tags, diskFull);
    }

    /** Metrics for node {@code nodeId} of group {@code groupId}, registered in {@code registry}. */
    public static MicrometerNodeMetrics of(MeterRegistry registry, long groupId, long nodeId) {
        return new MicrometerNodeMetrics(registry, groupId, nodeId);
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
        registry.timer("raft.snapshot.transfer", tags.and("outcome", succeeded ? "ok" : "failed"))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recordSnapshotInstalled(long nanos) {
        snapshotInstall.record(nanos, TimeUnit.NANOSECONDS);
    }
}
