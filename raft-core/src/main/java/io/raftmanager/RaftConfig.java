package io.raftmanager;

/**
 * The immutable, validated configuration of one Raft server in one group. Build it with {@link
 * #builder()}; every field has a named default, and units are part of the names. Time is counted in
 * ticks: the runtime turns wall-clock time into ticks, so the protocol itself never reads a clock.
 *
 * <p>A final class rather than a record, so that new settings never break callers: only the builder
 * creates one, and {@link #toBuilder()} derives a changed copy.
 */
public final class RaftConfig {

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

    private final long nodeId;
    private final String clusterId;
    private final long groupId;
    private final int electionTicks;
    private final int heartbeatTicks;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final int maxInflightMessages;
    private final long maxInflightBytes;
    private final long maxMessageBytes;
    private final long maxApplyBytes;
    private final int leaseDriftTicks;
    private final long tickMillis;
    private final int maxPendingProposals;
    private final long maxPendingProposalBytes;
    private final long learnerCatchUpMarginEntries;
    private final long sessionTimeoutMillis;
    private final int sessionResultWindow;
    private final int maxSessions;
    private final int digestIntervalTicks;
    private final SnapshotConfig snapshot;
    private final boolean storageRecovery;
    private final long diskStallMillis;

    /** Validates every field; throws {@link InvalidConfigException} naming the first invalid one. */
    private RaftConfig(Builder b) {
        this.nodeId = b.nodeId;
        this.clusterId = b.clusterId;
        this.groupId = b.groupId;
        this.electionTicks = b.electionTicks;
        this.heartbeatTicks = b.heartbeatTicks;
        this.preVote = b.preVote;
        this.checkQuorum = b.checkQuorum;
        this.maxInflightMessages = b.maxInflightMessages;
        this.maxInflightBytes = b.maxInflightBytes;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxApplyBytes = b.maxApplyBytes;
        this.leaseDriftTicks = b.leaseDriftTicks;
        this.tickMillis = b.tickMillis;
        this.maxPendingProposals = b.maxPendingProposals;
        this.maxPendingProposalBytes = b.maxPendingProposalBytes;
        this.learnerCatchUpMarginEntries = b.learnerCatchUpMarginEntries;
        this.sessionTimeoutMillis = b.sessionTimeoutMillis;
        this.sessionResultWindow = b.sessionResultWindow;
        this.maxSessions = b.maxSessions;
        this.digestIntervalTicks = b.digestIntervalTicks;
        this.snapshot = b.snapshot;
        this.storageRecovery = b.storageRecovery;
        this.diskStallMillis = b.diskStallMillis;

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
        InvalidConfigException.require(
                diskStallMillis == 0 || diskStallMillis >= (long) electionTicks * tickMillis,
                "diskStallMillis",
                "must be 0 (the default bound) or at least one election timeout (" + (long) electionTicks * tickMillis
                        + " ms), was " + diskStallMillis);
    }

    /** This server's id; non-zero. */
    public long nodeId() {
        return nodeId;
    }

    /** The cluster every message must carry; non-empty. */
    public String clusterId() {
        return clusterId;
    }

    /** The Raft group within the cluster (many groups may share a transport and a storage). */
    public long groupId() {
        return groupId;
    }

    /** The minimum election timeout; the actual one is drawn from [electionTicks, 2 * electionTicks). Must be greater than {@code heartbeatTicks}. */
    public int electionTicks() {
        return electionTicks;
    }

    /** How often a leader sends heartbeats. */
    public int heartbeatTicks() {
        return heartbeatTicks;
    }

    /** Run a PreVote round before raising the term (thesis §9.6). */
    public boolean preVote() {
        return preVote;
    }

    /** A leader that has not heard from a quorum for an election timeout steps down, and followers that heard from a leader within it ignore vote requests (thesis §6.2, §4.2.3). */
    public boolean checkQuorum() {
        return checkQuorum;
    }

    /** Per follower, how many AppendEntries may be unacknowledged. */
    public int maxInflightMessages() {
        return maxInflightMessages;
    }

    /** Per follower, how many entry bytes may be unacknowledged. */
    public long maxInflightBytes() {
        return maxInflightBytes;
    }

    /** The entry bytes one AppendEntries carries at most (one entry always fits). */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The entry bytes one batch of committed entries carries at most. */
    public long maxApplyBytes() {
        return maxApplyBytes;
    }

    /** Lease reads: how much shorter than the election timeout a leader's lease is, to allow for clock drift between servers; in [1, {@code electionTicks}). The lease lasts {@code (electionTicks - leaseDriftTicks) * tickMillis} on the leader's clock and stays safe while no follower's clock runs more than {@link #leaseClockRateBound()} times as fast as the leader's (1.125 with the defaults). */
    public int leaseDriftTicks() {
        return leaseDriftTicks;
    }

    /** The runtime's tick length: wall time per tick. The core counts ticks for elections and heartbeats, and measures leases on the clock readings the runtime passes in. */
    public long tickMillis() {
        return tickMillis;
    }

    /** Proposals a node accepts without an outcome yet; beyond it, proposals fail fast with {@link OverloadedException}. */
    public int maxPendingProposals() {
        return maxPendingProposals;
    }

    /** The same bound in command bytes. */
    public long maxPendingProposalBytes() {
        return maxPendingProposalBytes;
    }

    /** How far behind the leader's last index a learner (or any voter of a new configuration) may be and still count as caught up: a learner is promoted, and a new configuration passes the live-quorum preflight, only within this margin. */
    public long learnerCatchUpMarginEntries() {
        return learnerCatchUpMarginEntries;
    }

    /** A client session (thesis §6.3) expires once this long passes without a command in it, measured by the session clock the log carries: leaders stamp their monotonic time into session entries, and no server's own clock (wall or monotonic) is read when applying, so every server expires it at the same log index. The clock never runs faster than a leader's monotonic clock, so wall-clock jumps cannot expire sessions early; time between two leaders is not counted, so a session may outlive its timeout by about that (see docs/sessions.md). */
    public long sessionTimeoutMillis() {
        return sessionTimeoutMillis;
    }

    /** How many results each client session keeps for answering retries: the results of its most recent sequence numbers; a retry of an older one fails with {@link SessionExpiredException.Reason#RESULT_DISCARDED}. */
    public int sessionResultWindow() {
        return sessionResultWindow;
    }

    /** How many client sessions the group holds at most; a registration beyond it is refused with {@link SessionLimitException} (identically on every server). */
    public int maxSessions() {
        return maxSessions;
    }

    /** How often a leader appends a digest marker (consistency verification), or 0 for never. At each marker every server digests its state machine and reports to the leader; a server whose digest differs from the one a quorum agrees on stops applying, serving and voting. The operator action then is to stop that server, discard its state machine (and, once snapshots exist, restore a healthy server's snapshot) and restart it: the log is intact, so it re-applies from there. Set it on every server alike. */
    public int digestIntervalTicks() {
        return digestIntervalTicks;
    }

    /** The snapshot and log-compaction policy (used by the runtime only) /. */
    public SnapshotConfig snapshot() {
        return snapshot;
    }

    /**
     * Whether a server with empty, lost or corrupt storage starts non-voting and learns from its peers
     * before it votes again (see {@link Builder#storageRecovery}). On by default.
     */
    public boolean storageRecovery() {
        return storageRecovery;
    }

    /**
     * How long a leader's oldest unfinished disk write may make no progress before the leader hands
     * leadership to its most up-to-date voter (see {@link Builder#diskStallMillis}); 0 means the default
     * bound, four election timeouts and never under 5 s.
     */
    public long diskStallMillis() {
        return diskStallMillis;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RaftConfig o
                && nodeId == o.nodeId
                && clusterId.equals(o.clusterId)
                && groupId == o.groupId
                && electionTicks == o.electionTicks
                && heartbeatTicks == o.heartbeatTicks
                && preVote == o.preVote
                && checkQuorum == o.checkQuorum
                && maxInflightMessages == o.maxInflightMessages
                && maxInflightBytes == o.maxInflightBytes
                && maxMessageBytes == o.maxMessageBytes
                && maxApplyBytes == o.maxApplyBytes
                && leaseDriftTicks == o.leaseDriftTicks
                && tickMillis == o.tickMillis
                && maxPendingProposals == o.maxPendingProposals
                && maxPendingProposalBytes == o.maxPendingProposalBytes
                && learnerCatchUpMarginEntries == o.learnerCatchUpMarginEntries
                && sessionTimeoutMillis == o.sessionTimeoutMillis
                && sessionResultWindow == o.sessionResultWindow
                && maxSessions == o.maxSessions
                && digestIntervalTicks == o.digestIntervalTicks
                && snapshot.equals(o.snapshot)
                && storageRecovery == o.storageRecovery
                && diskStallMillis == o.diskStallMillis;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
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
                storageRecovery,
                diskStallMillis);
    }

    @Override
    public String toString() {
        return "RaftConfig[nodeId=" + nodeId + ", clusterId=" + clusterId + ", groupId=" + groupId + ", electionTicks="
                + electionTicks + ", heartbeatTicks=" + heartbeatTicks + ", preVote=" + preVote + ", checkQuorum="
                + checkQuorum + ", maxInflightMessages=" + maxInflightMessages + ", maxInflightBytes="
                + maxInflightBytes + ", maxMessageBytes=" + maxMessageBytes + ", maxApplyBytes=" + maxApplyBytes
                + ", leaseDriftTicks=" + leaseDriftTicks + ", tickMillis=" + tickMillis + ", maxPendingProposals="
                + maxPendingProposals + ", maxPendingProposalBytes=" + maxPendingProposalBytes
                + ", learnerCatchUpMarginEntries=" + learnerCatchUpMarginEntries + ", sessionTimeoutMillis="
                + sessionTimeoutMillis + ", sessionResultWindow=" + sessionResultWindow + ", maxSessions=" + maxSessions
                + ", digestIntervalTicks=" + digestIntervalTicks + ", snapshot=" + snapshot + ", storageRecovery="
                + storageRecovery + ", diskStallMillis=" + diskStallMillis + "]";
    }

    /** A builder with every field at its default; {@code nodeId} and {@code clusterId} must be set. */
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
                .storageRecovery(storageRecovery)
                .diskStallMillis(diskStallMillis);
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
        private long diskStallMillis;

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

        /**
         * Whether a server whose storage is empty, or was reported lost or corrupt, starts non-voting and
         * learns from its peers before it votes again (docs/storage-faults.md): a brand-new cluster forms
         * only once every voter of the initial configuration confirms it is empty too, and a server that
         * lost its disk catches up before it can be part of a quorum. On by default; turning it off makes
         * an empty disk trusted at once, which loses acknowledged writes if a used disk was wiped.
         */
        public Builder storageRecovery(boolean value) {
            storageRecovery = value;
            return this;
        }

        /**
         * How long a leader's oldest unfinished disk write may make no progress before the leader hands
         * leadership to its most up-to-date voter (it cannot commit while it cannot write, and with its
         * heartbeats still flowing the followers would never elect another). 0 (the default) means four
         * election timeouts and never under 5 s: a loaded machine's fsync can take a second or two, and
         * moving leadership for that costs more than the wait. Otherwise at least one election timeout
         * ({@code electionTicks * tickMillis}). A leader whose disk is full hands off at once, whatever
         * this bound.
         */
        public Builder diskStallMillis(long value) {
            diskStallMillis = value;
            return this;
        }

        /**
         * A validated configuration.
         *
         * @throws InvalidConfigException naming the first invalid field
         */
        public RaftConfig build() {
            return new RaftConfig(this);
        }
    }
}
