package io.raftmanager.core.tracker;

/**
 * The leader's view of one follower's log (Raft Figure 2's matchIndex and nextIndex, plus flow control).
 *
 * <p>Invariants: {@code match < next}; in {@link ProgressState#REPLICATE} the inflight window holds the
 * messages in {@code (match, next)}; in {@link ProgressState#PROBE} at most one message is outstanding.
 */
public final class Progress {
    private long match;
    private long next;
    private ProgressState state = ProgressState.PROBE;
    private boolean probeSent;
    private long pendingSnapshot;
    private long sentCommit;
    private boolean recentActive;
    private boolean heartbeatRetryTaken;
    private boolean learner;
    private final Inflights inflights;

    public Progress(long next, boolean learner, int maxInflightMessages, long maxInflightBytes) {
        this.next = next;
        this.learner = learner;
        this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
    }

    public long match() {
        return match;
    }

    public long next() {
        return next;
    }

    public ProgressState state() {
        return state;
    }

    public boolean isLearner() {
        return learner;
    }

    /** Promotion or demotion by a configuration change; replication state is kept as it is. */
    public void setLearner(boolean value) {
        learner = value;
    }

    public long pendingSnapshot() {
        return pendingSnapshot;
    }

    public Inflights inflights() {
        return inflights;
    }

    public boolean recentActive() {
        return recentActive;
    }

    /** The highest commit index this follower has been sent; it may know no more than this. */
    public long sentCommit() {
        return sentCommit;
    }

    /** Records that a message carrying {@code commit} was sent. */
    public void sentCommit(long commit) {
        sentCommit = Math.max(sentCommit, commit);
    }

    /**
     * Whether the follower may not know {@code committed} yet and could learn it from an append: it has
     * not been sent it, and it holds the entries up to it or has an append on the way.
     */
    public boolean canBumpCommit(long committed) {
        return sentCommit < committed && next - 1 > sentCommit;
    }

    public void setRecentActive(boolean active) {
        recentActive = active;
    }

    public void becomeProbe() {
        long resumeAt = state == ProgressState.SNAPSHOT ? Math.max(match, pendingSnapshot) + 1 : match + 1;
        state = ProgressState.PROBE;
        next = resumeAt;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    public void becomeReplicate() {
        state = ProgressState.REPLICATE;
        next = match + 1;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    public void becomeSnapshot(long snapshotIndex) {
        state = ProgressState.SNAPSHOT;
        pendingSnapshot = snapshotIndex;
        probeSent = false;
        inflights.reset();
    }

    /** A snapshot transfer failed: the follower resumes from its match index, not after the snapshot. */
    public void abandonSnapshot() {
        pendingSnapshot = 0;
    }

    /** Holds the next probe until the follower answers or a heartbeat response shows it is alive. */
    public void pauseProbe() {
        if (state == ProgressState.PROBE) {
            probeSent = true;
        }
    }

    /** Whether the leader must hold further AppendEntries to this follower for now. */
    public boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Lets one more probe go (called on a heartbeat response: the follower is alive). */
    public void resumeProbe() {
        probeSent = false;
    }

    /**
     * Whether a heartbeat response may still retry replication (resume a held probe, free a full
     * window's oldest slot) in this heartbeat interval; at most one does. Heartbeats also confirm reads,
     * so a follower answers many per interval under load, and a re-sent message may carry a full batch
     * of entries: a wiped follower was once sent its leader's whole log 150 times in one pass.
     */
    public boolean takeHeartbeatRetry() {
        if (heartbeatRetryTaken) {
            return false;
        }
        heartbeatRetryTaken = true;
        return true;
    }

    /** A new heartbeat interval began: the next heartbeat response may retry again. */
    public void allowHeartbeatRetry() {
        heartbeatRetryTaken = false;
    }

    /** Records an AppendEntries carrying entries up to {@code lastIndex} ({@code bytes} entry bytes). */
    public void sentEntries(long lastIndex, int entryCount, long bytes) {
        switch (state) {
            case REPLICATE -> {
                if (entryCount > 0) {
                    next = lastIndex + 1;
                    inflights.add(lastIndex, bytes);
                }
            }
            case PROBE -> probeSent = true;
            case SNAPSHOT -> throw new IllegalStateException("sending entries while in SNAPSHOT state");
        }
    }

    /**
     * The follower lost entries it had acknowledged (its disk was wiped or damaged) and now holds only up
     * to {@code lastIndex}: replicate to it again from there. Without this the leader would take every
     * rejection at or below the old match index for a stale message and never send the lost entries. A
     * snapshot under way is left to finish. Returns whether anything changed.
     */
    public boolean regressTo(long lastIndex) {
        if (lastIndex >= match || state == ProgressState.SNAPSHOT) {
            return false;
        }
        match = lastIndex;
        becomeProbe();
        return true;
    }

    /** The follower acknowledged {@code index}; returns whether that was news. */
    public boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * The follower rejected an AppendEntries at {@code rejected}; {@code hint} is the highest index that
     * may still match. Returns false if the rejection is stale (it answers an older message).
     */
    public boolean maybeDecrTo(long rejected, long hint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected || rejected <= match) {
            // At or below match it is stale too: re-sending the same probe at once would only draw the same
            // answer from a follower that lost entries without saying so (a storm); heartbeats retry it.
            return false;
        }
        next = Math.max(Math.min(rejected, hint + 1), match + 1);
        probeSent = false;
        return true;
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + (learner ? " learner" : "")
                + (probeSent ? " paused" : "") + (state == ProgressState.SNAPSHOT ? " snapshot=" + pendingSnapshot : "")
                + " inflight=" + inflights.count();
    }
}
