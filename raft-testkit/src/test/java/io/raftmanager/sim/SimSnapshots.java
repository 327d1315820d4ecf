package io.raftmanager.sim;

import io.raftmanager.core.Ready;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Snapshots and log compaction in the simulator. Each seed draws a policy (never, or every 3-60 applied
 * entries, with a trailing window of 0-20 entries). A leader's request to stream a snapshot is carried
 * out as one message through the faulty network, carrying the whole (tiny) snapshot; the chunked
 * transfer itself is the runtime's and is tested there. Checks: replicas' state machines agree at every
 * index, and a snapshot a server installs or restarts from equals the state that replaying the log
 * produced at that index.
 */
final class SimSnapshots {
    private final List<SimNode> nodes;
    private final SimStats stats;
    private final Consumer<String> event;
    private final SplittableRandom rnd;
    private final int every;
    private final int trailing;
    /** The state machine digest at each index, as the first server to apply it computed it. */
    private final Map<Long, Long> digestAt = new HashMap<>();
    /** The bytes of snapshots in flight, by the message that carries them. */
    private final Map<SnapshotMeta, byte[]> inFlight = new HashMap<>();

    SimSnapshots(long seed, List<SimNode> nodes, SimStats stats, Consumer<String> event) {
        this.nodes = nodes;
        this.stats = stats;
        this.event = event;
        this.rnd = new SplittableRandom(seed * 0x9e3779b97f4a7c15L + 17);
        this.every = rnd.nextInt(5) == 0 ? 0 : 3 + rnd.nextInt(58);
        this.trailing = rnd.nextBoolean() ? 0 : rnd.nextInt(21);
    }

    /** Applies an entry to the server's state machine and checks it against every other replica. */
    void onApply(SimNode n, Entry e) {
        if (e.getIndex() <= n.skipThrough) {
            return; // covered by the newer snapshot installed in place of the core's
        }
        n.sm.apply(e);
        Long known = digestAt.putIfAbsent(e.getIndex(), n.sm.digest);
        if (known != null && known != n.sm.digest) {
            throw new AssertionError("state machines diverge at " + e.getIndex() + " on server " + n.id);
        }
    }

    /** A restarted server resumes from its latest snapshot, which must match the replayed history. */
    void onRestart(SimNode n) {
        verify(n, n.appliedIndex, "restarted from");
    }

    /** Intercepts the core's request to stream a snapshot; returns true if {@code m} was one. */
    boolean onSend(SimNode leader, RaftMessage m, Consumer<RaftMessage> network) {
        if (!m.hasInstallSnapshotRequest()) {
            return false;
        }
        SnapshotMeta latest = leader.sm.store.latest();
        if (latest == null
                || latest.getIndex() < m.getInstallSnapshotRequest().getMeta().getIndex()) {
            throw new AssertionError("server " + leader.id + " asked to send a snapshot at or after "
                    + m.getInstallSnapshotRequest().getMeta().getIndex() + " but holds " + latest);
        }
        stats.snapshotsSent++;
        event.accept("server " + leader.id + " sends snapshot " + latest.getIndex() + " to " + m.getTo());
        inFlight.put(latest, leader.sm.bytes(latest));
        network.accept(m.toBuilder()
                .setInstallSnapshotRequest(
                        InstallSnapshotRequest.newBuilder().setMeta(latest).setDone(true))
                .build());
        // As a runtime would once the last chunk is acknowledged; or a failure, now and then.
        leader.raft.reportSnapshot(m.getTo(), rnd.nextInt(10) != 0);
        return true;
    }

    /** Before a snapshot message is stepped: the receiving runtime stores the snapshot it carries. */
    void beforeDeliver(SimNode to, RaftMessage m) {
        if (!m.hasInstallSnapshotRequest()) {
            return;
        }
        if (m.getTerm() < to.raft.term()) {
            return; // as the runtime does: a deposed leader's snapshot is not stored (the core drops it too)
        }
        SnapshotMeta meta = m.getInstallSnapshotRequest().getMeta();
        byte[] bytes = inFlight.get(meta);
        SnapshotMeta held = to.sm.store.latest();
        if (held != null && held.getIndex() >= meta.getIndex()) {
            return; // a duplicate or an older one: the runtime keeps what it has
        }
        SnapshotWriter w = to.sm.store.receive(meta);
        w.write(bytes, 0, bytes.length);
        w.commit();
    }

    /** After a Ready's entries are applied: install its snapshot, then maybe take one and compact. */
    void afterApply(SimNode n, Ready rd) {
        if (rd.snapshot() != null) {
            SnapshotMeta meta = rd.snapshot();
            // As the runtime's Applier does: a newer snapshot, received before this one was installed, may
            // have replaced it in the store; that later state of the same log is installed instead, and the
            // entries it covers are skipped when the core hands them out.
            SnapshotMeta held = n.sm.store.latest();
            SnapshotMeta installed = held != null && held.getIndex() > meta.getIndex() ? held : meta;
            long[] content = n.sm.read(installed);
            n.sm.digest = content[1];
            n.appliedIndex = meta.getIndex();
            n.skipThrough = installed.getIndex();
            verify(n, installed.getIndex(), "installed");
            n.raft.applied(meta.getIndex());
            stats.snapshotsInstalled++;
            event.accept("server " + n.id + " installs snapshot " + meta.getIndex());
        }
        maybeTake(n);
    }

    private void maybeTake(SimNode n) {
        long base = n.sm.store.latest() == null ? 0 : n.sm.store.latest().getIndex();
        long applied = n.appliedIndex;
        if (every == 0 || applied - base < every || applied != n.raft.log().applying()) {
            return;
        }
        SnapshotMeta meta = n.sm.take(SnapshotMeta.newBuilder()
                .setIndex(applied)
                .setTerm(n.raft.log().term(applied))
                .setMembership(n.raft.membership())
                .build());
        stats.snapshotsTaken++;
        // Compact only what the invariant checker has seen committed on this server.
        long upTo = Math.min(meta.getIndex() - trailing, n.checkedCommit);
        if (upTo > n.durable.snapshot().getIndex() && upTo <= n.durable.lastIndex()) {
            n.durable.compact(upTo);
            stats.compactions++;
        }
    }

    private void verify(SimNode n, long index, String what) {
        if (index == 0) {
            return;
        }
        Long expected = digestAt.get(index);
        if (expected == null || expected != n.sm.digest) {
            throw new AssertionError("server " + n.id + " " + what + " a snapshot at " + index + " whose state "
                    + n.sm.digest + " differs from the replayed log's " + expected);
        }
    }
}
