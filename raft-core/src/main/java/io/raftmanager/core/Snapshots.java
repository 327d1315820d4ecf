package io.raftmanager.core;

import io.raftmanager.Role;
import io.raftmanager.core.tracker.Progress;
import io.raftmanager.core.tracker.ProgressState;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;

/**
 * Snapshots in the core (Raft §7): a leader whose log no longer holds what a follower needs asks the
 * runtime to stream it a snapshot, and tracks the follower in {@link ProgressState#SNAPSHOT} (one
 * transfer per follower) until the runtime reports the outcome or the follower acknowledges the
 * snapshot's index; a follower given a complete snapshot restores its log, commit index and membership
 * from it and hands it out in a {@link Ready} to be persisted and installed.
 *
 * <p>The bytes never pass through the core: only metadata does.
 */
final class Snapshots {
    private final Raft r;
    /** A membership restored from a snapshot, not yet reported in a Ready. */
    private Membership restoredMembership;

    Snapshots(Raft r) {
        this.r = r;
    }

    /**
     * Leader: the follower needs entries before the first index of the log. Asks the runtime to stream the
     * latest snapshot (any at or after the log's base point will do) and pauses appends to the follower.
     */
    void sendSnapshot(long to, Progress pr) {
        long base = r.raftLog.firstIndex() - 1;
        long baseTerm = r.raftLog.termOrZero(base);
        Raft.LOG.info(
                "[{}] follower {} needs entries from {}, compacted: sending a snapshot at or after {}/{}",
                r.id,
                to,
                pr.next(),
                baseTerm,
                base);
        pr.becomeSnapshot(base);
        SnapshotMeta atLeast =
                SnapshotMeta.newBuilder().setIndex(base).setTerm(baseTerm).build();
        r.send(Messages.installSnapshot(r, to, atLeast), false);
    }

    /**
     * Leader: the runtime finished streaming a snapshot to {@code peer}. Either way appends wait for the
     * follower's next answer (or heartbeat) before they resume, so a failing transfer is retried at most
     * once per heartbeat.
     */
    void report(long peer, boolean succeeded) {
        if (r.role != Role.LEADER) {
            return;
        }
        Progress pr = r.tracker.progress(peer);
        if (pr == null || pr.state() != ProgressState.SNAPSHOT) {
            return;
        }
        Raft.LOG.info("[{}] snapshot transfer to {} {}", r.id, peer, succeeded ? "finished" : "failed");
        if (!succeeded) {
            pr.abandonSnapshot();
        }
        pr.becomeProbe();
        pr.pauseProbe();
    }

    /**
     * Follower: the runtime holds a complete, verified snapshot sent by the leader. If the log already
     * holds its last entry, only the commit index moves; if the snapshot is not newer than the commit
     * index it is ignored; otherwise the log restarts after it.
     */
    void handleInstall(RaftMessage m) {
        InstallSnapshotRequest req = m.getInstallSnapshotRequest();
        if (!req.getDone()) {
            Raft.LOG.debug("[{}] ignores an incomplete snapshot from {}", r.id, m.getFrom());
            return;
        }
        SnapshotMeta meta = req.getMeta();
        long committed = r.raftLog.committed();
        if (meta.getIndex() <= committed) {
            Raft.LOG.info(
                    "[{}] ignores snapshot {}/{}: commit is already {}",
                    r.id,
                    meta.getTerm(),
                    meta.getIndex(),
                    committed);
            r.send(Messages.appendAccept(r, m.getFrom(), committed), true);
            return;
        }
        if (r.raftLog.matchTerm(meta.getIndex(), meta.getTerm())) {
            Raft.LOG.info(
                    "[{}] log holds snapshot {}/{}: fast-forwarding commit", r.id, meta.getTerm(), meta.getIndex());
            r.raftLog.commitTo(meta.getIndex());
            r.send(Messages.appendAccept(r, m.getFrom(), meta.getIndex()), true);
            return;
        }
        Raft.LOG.info(
                "[{}] restores snapshot {}/{} from {} (commit was {})",
                r.id,
                meta.getTerm(),
                meta.getIndex(),
                m.getFrom(),
                committed);
        r.raftLog.restore(meta);
        r.membership = meta.getMembership();
        r.membershipIndex = meta.getIndex();
        r.previousMembership = null;
        r.tracker = r.tracker.withMembership(
                r.membership, r.raftLog.lastIndex() + 1, r.config.maxInflightMessages(), r.config.maxInflightBytes());
        restoredMembership = r.membership;
        r.send(Messages.appendAccept(r, m.getFrom(), meta.getIndex()), true);
    }

    /** The membership a restored snapshot brought, once; null if none since the last call. */
    Membership takeRestoredMembership() {
        Membership m = restoredMembership;
        restoredMembership = null;
        return m;
    }
}
