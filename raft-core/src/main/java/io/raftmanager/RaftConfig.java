package io.raftmanager;

/**
 * The immutable, validated configuration of one Raft server in one group. Build it with {@link
 * #builder()}; every field has a named default, and units are part of the names. Time is counted in
 * ticks: the runtime turns wall-clock time into ticks, so the protocol itself never reads a clock.
 *
 * @param nodeId this server's id; non-zero
 * @param clusterId the cluster every message must carry; non-empty
 * @param groupId the Raft group within the cluster (many groups may share a transport and a storage)
 * @param electionTicks the minimum election timeout; the actual one is drawn from [electionTicks,
 *     2 * electionTicks). Must be greater than {@code heartbeatTicks}
 * @param heartbeatTicks how often a leader sends heartbeats
 * @param preVote run a PreVote round before raising the term (thesis §9.6)
 * @param checkQuorum a leader that has not heard from a quorum for an election timeout steps down, and
 *     followers that heard from a leader within it ignore vote requests (thesis §6.2, §4.2.3)
 * @param maxInflightMessages per follower, how many AppendEntries may be unacknowledged
 * @param maxInflightBytes per follower, how many entry bytes may be unacknowledged
 * @param maxMessageBytes the entry bytes one AppendEntries carries at most (one entry always fits)
 * @param maxApplyBytes the entry bytes one batch of committed entries carries at most; at most four
 *     batches' worth is handed out and not yet applied at a time (the apply backlog's memory bound)
 * @param leaseDriftTicks lease reads: how much shorter than the election timeout a leader's lease is,
 *     to allow for clock drift between servers; in [1, {@code electionTicks}). The lease lasts {@code
 *     (electionTicks - leaseDriftTicks) * tickMillis} on the leader's clock and stays safe while no
 *     follower's clock runs more than {@link #leaseClockRateBound()} times as fast as the leader's
 *     (1.125 with the defaults)
 * @param tickMillis the runtime's tick length: wall time per tick. The core counts ticks for elections
 *     and heartbeats, and measures leases on the clock readings the runtime passes in
 * @param maxPendingProposals proposals a node accepts without an outcome yet; beyond it, proposals fail
 *     fast with {@link OverloadedException}
 * @param maxPendingProposalBytes the same bound in command bytes
 * @param learnerCatchUpMarginEntries how far behind the leader's last index a learner (or any voter of
 *     a new configuration) may be and still count as caught up: a learner is promoted, and a new
 *     configuration passes the live-quorum preflight, only within this margin
 * @param sessionTimeoutMillis a client session (thesis §6.3) expires once this long passes without a
 *     command in it, measured by the session clock the log carries: leaders stamp their monotonic time
 *     into session entries, and no server's own clock (wall or monotonic) is read when applying, so every
 *     server expires it at the same log index. The clock never runs faster than a leader's monotonic
 *     clock, so wall-clock jumps cannot expire sessions early; time between two leaders is not counted,
 *     so a session may outlive its timeout by about that (see docs/sessions.md)
 * @param maxSessions how many client sessions the group holds at most; a registration beyond it is
 *     refused with {@link SessionLimitException} (identically on every server)
 * @param sessionResultWindow how many results each client session keeps for answering retries: the
 *     results of its most recent sequence numbers; a retry of an older one fails with {@link
 *     SessionExpiredException.Reason#RESULT_DISCARDED}
 * @param digestIntervalTicks how often a leader appends a digest marker (consistency verification), or 0
 *     for never. At each marker every server digests its state machine and reports to the leader; a
 *     server whose digest differs from the one a quorum agrees on stops applying, serving and voting. The
 *     operator action then is to stop that server, discard its state machine (and, once snapshots exist,
 *     restore a healthy server's snapshot) and restart it: the log is intact, so it re-applies from there.
 *     Set it on every server alike
 * @param snapshot the snapshot and log-compaction policy (used by the runtime only)
 * @param storageRecovery a server whose storage is empty, or was reported lost or corrupt, starts
 *     non-voting and learns from its peers before it votes again (docs/storage-faults.md): a brand-new
 *     cluster forms only once every voter of the initial configuration confirms it is empty too, and a
 *     server that lost its disk catches up before it can be part of a quorum. On by default; turning it off
 *     makes an empty disk trusted at once, which loses acknowledged writes if a used disk was wiped
 */
public record RaftConfig(
        long nodeId,
        String clusterId,
        long groupId,
        int electionTicks,
        int heartbeatTicks,
        boolean preVote,
        boolean checkQuorum,
        int maxInflightMessages,
        long maxInflightBytes,
        long maxMessageBytes,
        long maxApplyBytes,
        int leaseDriftTicks,
        long tickMillis,
        int maxPendingProposals,
        long maxPendingProposalBytes,
        long learnerCatchUpMarginEntries,
        long sessionTimeoutMillis,
        int sessionResultWindow,
        int maxSessions,
        int digestIntervalTicks,
        SnapshotConfig snapshot,
        boolean storageRecovery) {

    public static final int DEFAULT_ELECTION_TICKS = 10;
    public static final int DEFAULT_HEARTBEAT_TICKS = 1;
    public static final int DEFAULT_MAX_INFLIGHT_MESSAGES = 256;
    public static final long DEFAULT_MAX_INFLIGHT_BYTES = 32L << 20;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 1L << 20;
    public static final long DEFAULT_MAX_APPLY_BYTES = 16L << 20;
    public static final long DEFAULT_TICK_MILLIS = 100;
    public static final int DEFAULT_LEASE_DRIFT_TICKS = 2;
    public static final int DEFAULT_MAX_PENDING_PROPOSALS = 65_536;
    public static final long DEFAULT_MAX_PENDING_PROPOSAL_BYTES = 256L << 20;
    public static final long DEFAULT_LEARNER_CATCH_UP_MARGIN_ENTRIES = 100;
    public static final long DEFAULT_SESSION_TIMEOUT_MILLIS = 300_000;
    public static final int DEFAULT_SESSION_RESULT_WINDOW = 128;
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    public static final int DEFAULT_DIGEST_INTERVAL_TICKS = 600;

    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    public RaftConfig {
        InvalidConfigException.require(nodeId != 0, "nodeId", "must be non-zero");
        InvalidConfigException.require(clusterId != null && !clusterId.isEmpty(), "clusterId", "must be non-empty");
        InvalidConfigException.require(groupId >= 0, "groupId", "must be >= 0");
        InvalidConfigException.require(heartbeatTicks >= 1, "heartbeatTicks", "must be >= 1, was " + heartbeatTicks);
        InvalidConfigException.require(
                electionTicks > heartbeatTicks,
                "electionTicks",
                "must be greater than heartbeatTicks (" + heartbeatTicks + "), was " + electionTicks);
        InvalidConfigException.require(
                electionTicks <= Integer.MAX_VALUE / 2, "electionTicks", "is too large: " + electionTicks);
        InvalidConfigException.require(
                maxInflightMessages >= 1, "maxInflightMessages", "must be >= 1, was " + maxInflightMessages);
        InvalidConfigException.require(
                maxInflightBytes >= 1, "maxInflightBytes", "must be >= 1, was " + maxInflightBytes);
        InvalidConfigException.require(maxMessageBytes >= 1, "maxMessageBytes", "must be >= 1, was " + maxMessageBytes);
        InvalidConfigException.require(maxApplyBytes >= 1, "maxApplyBytes", "must be >= 1, was " + maxApplyBytes);
        InvalidConfigException.require(
                leaseDriftTicks >= 1 && leaseDriftTicks < electionTicks,
                "leaseDriftTicks",
                // 0 would be unsafe even with perfect clocks: a follower's patience is counted in whole
                // ticks, so it may give up to one tick short of a full election timeout after its ack.
                "must be in [1, electionTicks), was " + leaseDriftTicks);
        InvalidConfigException.require(tickMillis >= 1, "tickMillis", "must be >= 1, was " + tickMillis);
        InvalidConfigException.require(
                maxPendingProposals >= 1, "maxPendingProposals", "must be >= 1, was " + maxPendingProposals);
        InvalidConfigException.require(
                maxPendingProposalBytes >= 1,
                "maxPendingProposalBytes",
                "must be >= 1, was " + maxPendingProposalBytes);
        InvalidConfigException.require(
                learnerCatchUpMarginEntries >= 0,
                "learnerCatchUpMarginEntries",
                "must be >= 0, was " + learnerCatchUpMarginEntries);
        InvalidConfigException.require(
                sessionTimeoutMillis >= 1, "sessionTimeoutMillis", "must be >= 1, was " + sessionTimeoutMillis);
        InvalidConfigException.require(
                sessionResultWindow >= 1, "sessionResultWindow", "must be >= 1, was " + sessionResultWindow);
        InvalidConfigException.require(maxSessions >= 1, "maxSessions", "must be >= 1, was " + maxSessions);
        InvalidConfigException.require(
                digestIntervalTicks >= 0, "digestIntervalTicks", "must be >= 0, was " + digestIntervalTicks);
        InvalidConfigException.require(snapshot != null, "snapshot", "is required");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * How many times as fast as the leader's clock a follower's clock may run while lease reads stay
     * linearizable: {@code (electionTicks - 1) / (electionTicks - leaseDriftTicks)}. A follower that
     * acknowledged a lease round refuses votes until it has counted {@code electionTicks} ticks, which takes
     * at least {@code electionTicks - 1} of its tick periods (the first may come at once); the leader stops
     * serving from the lease {@code electionTicks - leaseDriftTicks} of its own periods after sending the
     * round. Pauses of any length do not count against it: a leader judges its lease on its monotonic
     * clock when a read is served, and a paused follower only waits longer.
     */
    public double leaseClockRateBound() {
        return (electionTicks - 1.0) / (electionTicks - leaseDriftTicks);
    }

    /** How long a lease lasts on the leader's clock after the heartbeat round that started it was sent. */
    public long leaseNanos() {
        return (electionTicks - leaseDriftTicks) * tickMillis * 1_000_000L;
    }

    /** Returns a builder initialised with this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .nodeId(nodeId)
                .clusterId(clusterId)
                .groupId(groupId)
                .electionTicks(electionTicks)
                .heartbeatTicks(heartbeatTicks)
                .preVote(preVote)
                .checkQuorum(checkQuorum)
                .maxInflightMessages(maxInflightMessages)
                .maxInflightBytes(maxInflightBytes)
                .maxMessageBytes(maxMessageBytes)
                .maxApplyBytes(maxApplyBytes)
                .leaseDriftTicks(leaseDriftTicks)
                .tickMillis(tickMillis)
                .maxPendingProposals(maxPendingProposals)
                .maxPendingProposalBytes(maxPendingProposalBytes)
                .learnerCatchUpMarginEntries(learnerCatchUpMarginEntries)
                .sessionTimeoutMillis(sessionTimeoutMillis)
                .sessionResultWindow(sessionResultWindow)
                .maxSessions(maxSessions)
                .digestIntervalTicks(digestIntervalTicks)
                .snapshot(snapshot)
                .storageRecovery(storageRecovery);
    }

    /** A mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private long nodeId;
        private String clusterId;
        private long groupId;
        private int electionTicks = DEFAULT_ELECTION_TICKS;
        private int heartbeatTicks = DEFAULT_HEARTBEAT_TICKS;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private int maxInflightMessages = DEFAULT_MAX_INFLIGHT_MESSAGES;
        private long maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES;
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private long maxApplyBytes = DEFAULT_MAX_APPLY_BYTES;
        private int leaseDriftTicks = DEFAULT_LEASE_DRIFT_TICKS;
        private long tickMillis = DEFAULT_TICK_MILLIS;
        private int maxPendingProposals = DEFAULT_MAX_PENDING_PROPOSALS;
        private long maxPendingProposalBytes = DEFAULT_MAX_PENDING_PROPOSAL_BYTES;
        private long learnerCatchUpMarginEntries = DEFAULT_LEARNER_CATCH_UP_MARGIN_ENTRIES;
        private long sessionTimeoutMillis = DEFAULT_SESSION_TIMEOUT_MILLIS;
        private int sessionResultWindow = DEFAULT_SESSION_RESULT_WINDOW;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private int digestIntervalTicks = DEFAULT_DIGEST_INTERVAL_TICKS;
        private SnapshotConfig snapshot = SnapshotConfig.DEFAULTS;
        private boolean storageRecovery = true;

        private Builder() {}

        public Builder nodeId(long value) {
            nodeId = value;
            return this;
        }

        public Builder clusterId(String value) {
            clusterId = value;
            return this;
        }

        public Builder groupId(long value) {
            groupId = value;
            return this;
        }

        public Builder electionTicks(int value) {
            electionTicks = value;
            return this;
        }

        public Builder heartbeatTicks(int value) {
            heartbeatTicks = value;
            return this;
        }

        public Builder preVote(boolean value) {
            preVote = value;
            return this;
        }

        public Builder checkQuorum(boolean value) {
            checkQuorum = value;
            return this;
        }

        public Builder maxInflightMessages(int value) {
            maxInflightMessages = value;
            return this;
        }

        public Builder maxInflightBytes(long value) {
            maxInflightBytes = value;
            return this;
        }

        public Builder maxMessageBytes(long value) {
            maxMessageBytes = value;
            return this;
        }

        public Builder maxApplyBytes(long value) {
            maxApplyBytes = value;
            return this;
        }

        public Builder leaseDriftTicks(int value) {
            leaseDriftTicks = value;
            return this;
        }

        public Builder tickMillis(long value) {
            tickMillis = value;
            return this;
        }

        public Builder maxPendingProposals(int value) {
            maxPendingProposals = value;
            return this;
        }

        public Builder maxPendingProposalBytes(long value) {
            maxPendingProposalBytes = value;
            return this;
        }

        public Builder learnerCatchUpMarginEntries(long value) {
            learnerCatchUpMarginEntries = value;
            return this;
        }

        public Builder sessionTimeoutMillis(long value) {
            sessionTimeoutMillis = value;
            return this;
        }

        public Builder sessionResultWindow(int value) {
            sessionResultWindow = value;
            return this;
        }

        public Builder maxSessions(int value) {
            maxSessions = value;
            return this;
        }

        public Builder digestIntervalTicks(int value) {
            digestIntervalTicks = value;
            return this;
        }

        public Builder snapshot(SnapshotConfig value) {
            snapshot = value;
            return this;
        }

        public Builder storageRecovery(boolean value) {
            storageRecovery = value;
            return this;
        }

        public RaftConfig build() {
            return new RaftConfig(
                    nodeId,
                    clusterId,
                    groupId,
                    electionTicks,
                    heartbeatTicks,
                    preVote,
                    checkQuorum,
                    maxInflightMessages,
                    maxInflightBytes,
                    maxMessageBytes,
                    maxApplyBytes,
                    leaseDriftTicks,
                    tickMillis,
                    maxPendingProposals,
                    maxPendingProposalBytes,
                    learnerCatchUpMarginEntries,
                    sessionTimeoutMillis,
                    sessionResultWindow,
                    maxSessions,
                    digestIntervalTicks,
                    snapshot,
                    storageRecovery);
        }
    }
}
