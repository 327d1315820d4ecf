package io.raftmanager.sim;

import java.util.function.UnaryOperator;

/**
 * What a simulation run changes from the default, for tests that explore one hazard.
 *
 * @param driftFactor how far apart the servers' clock rates may be, as a multiple of the bound the lease
 *     configuration documents ({@link io.raftmanager.RaftConfig#leaseClockRateBound()}): 1 draws rates up
 *     to exactly that bound, above 1 is drift beyond it
 * @param plantReadWithoutRound planted bug: leaders answer ReadIndex without a heartbeat round
 * @param plantServeBeforeApply planted bug: a read is served as soon as its read index is known, before
 *     the server has applied up to it
 * @param plantLeaseOnTicks planted bug: leaders judge their lease on counted ticks, not on the clock
 * @param faults adjusts the fault mix the seed drew
 * @param storageBug a planted storage-recovery bug, or NONE
 * @param joinerFocus membership changes mostly add and promote learners, and crashes and disk faults
 *     mostly strike voters that joined after bootstrap (a wiped joiner comes back blank, with no
 *     configuration)
 */
record SimVariant(
        double driftFactor,
        boolean plantReadWithoutRound,
        boolean plantServeBeforeApply,
        boolean plantLeaseOnTicks,
        UnaryOperator<SimOptions> faults,
        StorageBug storageBug,
        boolean joinerFocus) {

    /** Planted bugs of storage-fault recovery (docs/storage-faults.md). */
    enum StorageBug {
        NONE,
        /** A server with empty or lost storage votes at once. */
        VOTE_AT_ONCE,
        /** A corrupt record truncates the log without the storage reporting a loss. */
        SILENT_TRUNCATION,
        /** A failed fsync is retried and the server goes on as if its write were durable. */
        FSYNC_RETRY,
        /** A blank server without a configuration votes as a new one: a voter that joined and was wiped. */
        BLANK_JOINER_VOTES,
        /** A recovering server ignores the configurations in probe answers: it hears only its stale one. */
        STALE_CONFIGURATION,
        /** A recovering server answers leaders before it knows the voters' terms: stale leaders count it. */
        ANSWER_LEADERS_AT_ONCE,
        /** As ANSWER_LEADERS_AT_ONCE for a server without a configuration (a wiped joiner) only. */
        JOINER_ANSWERS_LEADERS_AT_ONCE
    }

    /** Clock rates as far apart as the lease bound allows, the drawn fault mix, and no planted bug. */
    static final SimVariant DEFAULT =
            new SimVariant(1.0, false, false, false, UnaryOperator.identity(), StorageBug.NONE, false);

    /** Leaders often cut off while they still believe they lead, without CheckQuorum. */
    static final SimVariant ISOLATED = DEFAULT.withFaults(isolatedLeaders(false));

    /** Joiner-focused disk-fault runs: voters added after bootstrap, then wiped or damaged. */
    static final SimVariant JOINERS = DEFAULT.withFaults(joinerDiskFaults()).withJoinerFocus();

    /** As {@link #JOINERS}, with leaders often cut off while they still believe they lead (no CheckQuorum). */
    static final SimVariant JOINERS_ISOLATED = JOINERS.withFaults(
            o -> isolatedLeaders(false).apply(joinerDiskFaults().apply(o)));

    SimVariant {
        if (!(driftFactor >= 1.0)) {
            throw new IllegalArgumentException("drift factor " + driftFactor);
        }
    }

    SimVariant withDriftFactor(double factor) {
        return new SimVariant(
                factor,
                plantReadWithoutRound,
                plantServeBeforeApply,
                plantLeaseOnTicks,
                faults,
                storageBug,
                joinerFocus);
    }

    SimVariant withReadWithoutRound() {
        return new SimVariant(
                driftFactor, true, plantServeBeforeApply, plantLeaseOnTicks, faults, storageBug, joinerFocus);
    }

    SimVariant withServeBeforeApply() {
        return new SimVariant(
                driftFactor, plantReadWithoutRound, true, plantLeaseOnTicks, faults, storageBug, joinerFocus);
    }

    SimVariant withLeaseOnTicks() {
        return new SimVariant(
                driftFactor, plantReadWithoutRound, plantServeBeforeApply, true, faults, storageBug, joinerFocus);
    }

    SimVariant withFaults(UnaryOperator<SimOptions> adjust) {
        return new SimVariant(
                driftFactor,
                plantReadWithoutRound,
                plantServeBeforeApply,
                plantLeaseOnTicks,
                adjust,
                storageBug,
                joinerFocus);
    }

    SimVariant withStorageBug(StorageBug bug) {
        return new SimVariant(
                driftFactor, plantReadWithoutRound, plantServeBeforeApply, plantLeaseOnTicks, faults, bug, joinerFocus);
    }

    SimVariant withJoinerFocus() {
        return new SimVariant(
                driftFactor, plantReadWithoutRound, plantServeBeforeApply, plantLeaseOnTicks, faults, storageBug, true);
    }

    /** Crash-heavy runs in which every crash also damages the disk (one minority at a time). */
    static UnaryOperator<SimOptions> diskFaults() {
        return o -> new SimOptions(
                3,
                o.electionTicks(),
                o.heartbeatTicks(),
                o.preVote(),
                o.checkQuorum(),
                o.dropRate(),
                o.duplicateRate(),
                o.maxExtraDelay(),
                o.partitionRate(),
                0.01 + o.crashRate(),
                o.slowDiskRate(),
                o.pauseRate(),
                Math.max(0.2, o.proposeRate()),
                o.maxInflightMessages(),
                o.maxMessageBytes(),
                0,
                1);
    }

    /**
     * As {@link #diskFaults}, with frequent membership changes: spares join (as learners, then promoted)
     * and may then lose their disk, so a voter added after bootstrap, whose disk held no configuration
     * to begin with, comes back blank.
     */
    static UnaryOperator<SimOptions> joinerDiskFaults() {
        return o -> {
            SimOptions d = diskFaults().apply(o);
            return new SimOptions(
                    d.nodes(),
                    d.electionTicks(),
                    d.heartbeatTicks(),
                    d.preVote(),
                    d.checkQuorum(),
                    d.dropRate(),
                    d.duplicateRate(),
                    d.maxExtraDelay(),
                    d.partitionRate(),
                    d.crashRate(),
                    d.slowDiskRate(),
                    d.pauseRate(),
                    d.proposeRate(),
                    d.maxInflightMessages(),
                    d.maxMessageBytes(),
                    0.03,
                    d.diskFaultRate());
        };
    }

    /**
     * The fault mix in which a leader is most often cut off while it still believes it leads: frequent
     * partitions, no pauses and no membership changes, CheckQuorum as given.
     */
    static UnaryOperator<SimOptions> isolatedLeaders(boolean checkQuorum) {
        return o -> new SimOptions(
                o.nodes(),
                o.electionTicks(),
                o.heartbeatTicks(),
                o.preVote(),
                checkQuorum,
                o.dropRate(),
                o.duplicateRate(),
                o.maxExtraDelay(),
                0.004,
                o.crashRate() / 4,
                o.slowDiskRate(),
                0,
                o.proposeRate(),
                o.maxInflightMessages(),
                o.maxMessageBytes(),
                0,
                o.diskFaultRate());
    }

    /**
     * As {@link #isolatedLeaders} with CheckQuorum (which leases need), with long election timeouts and a
     * prompt network, so that the window in which a lease outlives the followers' patience is wide enough
     * for a new leader to commit a write before the old one's lease runs out.
     */
    static UnaryOperator<SimOptions> isolatedLeasingLeaders() {
        return o -> {
            SimOptions i = isolatedLeaders(true).apply(o);
            return new SimOptions(
                    3,
                    i.electionTicks(),
                    i.heartbeatTicks(),
                    i.preVote(),
                    true,
                    0,
                    0,
                    Math.min(2, i.maxExtraDelay()),
                    0.002,
                    0,
                    0,
                    0,
                    Math.max(0.3, i.proposeRate()),
                    i.maxInflightMessages(),
                    i.maxMessageBytes(),
                    0,
                    0);
        };
    }

    /**
     * Long process pauses (one to four election timeouts) of leaders and followers, with CheckQuorum (which
     * leases need), no other fault but a little message delay, and many clients: a paused leader keeps
     * believing it leads while the others elect a new one and commit writes, and lease reads sent to it
     * wait for it to resume.
     */
    static UnaryOperator<SimOptions> pausedLeasingLeaders() {
        return o -> new SimOptions(
                3,
                o.electionTicks(),
                o.heartbeatTicks(),
                o.preVote(),
                true,
                0,
                0,
                Math.min(2, o.maxExtraDelay()),
                0,
                0,
                0,
                0.01,
                Math.max(0.3, o.proposeRate()),
                o.maxInflightMessages(),
                o.maxMessageBytes(),
                0,
                0);
    }
}
