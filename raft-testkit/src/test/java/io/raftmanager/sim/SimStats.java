package io.raftmanager.sim;

/** Counters of what one simulation run exercised, so a test run can show its faults actually happened. */
final class SimStats {
    long elections;
    long leaderTerms;
    long crashes;
    long restarts;
    long partitions;
    long slowDisks;
    long pauses;
    long truncations;
    long committed;
    long acknowledged;
    long messages;
    long dropped;
    long duplicated;
    long healSteps;
    long reads;
    long readsServed;
    long leaseReadsServed;
    long followerReadsServed;
    /** Lease reads that waited at a paused server and reached its core when it resumed. */
    long heldLeaseReads;
    /** Of those, the ones served (from a lease or, once it had run out, by a ReadIndex round). */
    long heldLeaseReadsServed;

    long clientRetries;
    long historyOps;
    long unknownOps;
    /** Wall-clock time of the slowest history check; not in toString, which must be deterministic. */
    long checkMillis;

    long membershipChanges;
    long refusedChanges;
    long transfers;
    long leaderRemovals;
    long snapshotsTaken;
    long snapshotsSent;
    long snapshotsInstalled;
    long compactions;
    long diskFaults;
    long fsyncFailures;
    /** Runs whose liveness check began with a voter (or several) still recovering. */
    long healsWithRecoveringVoters;

    long healsWithSeveralRecoveringVoters;
    /** Disk faults on a voter that joined after bootstrap (its disk started with no configuration). */
    long joinedVotersDamaged;
    /** Of those, wipes: the voter comes back blank, with no configuration, as a new server would. */
    long wipedJoiners;
    /** Not in toString: per kind, for tests that check every kind happened. */
    final java.util.Map<SimDiskFault, Long> diskFaultsByKind = new java.util.EnumMap<>(SimDiskFault.class);

    void add(SimStats o) {
        elections += o.elections;
        leaderTerms += o.leaderTerms;
        crashes += o.crashes;
        restarts += o.restarts;
        partitions += o.partitions;
        slowDisks += o.slowDisks;
        pauses += o.pauses;
        truncations += o.truncations;
        committed += o.committed;
        acknowledged += o.acknowledged;
        messages += o.messages;
        dropped += o.dropped;
        duplicated += o.duplicated;
        healSteps = Math.max(healSteps, o.healSteps);
        reads += o.reads;
        readsServed += o.readsServed;
        leaseReadsServed += o.leaseReadsServed;
        followerReadsServed += o.followerReadsServed;
        heldLeaseReads += o.heldLeaseReads;
        heldLeaseReadsServed += o.heldLeaseReadsServed;
        clientRetries += o.clientRetries;
        historyOps += o.historyOps;
        unknownOps += o.unknownOps;
        checkMillis = Math.max(checkMillis, o.checkMillis);
        membershipChanges += o.membershipChanges;
        refusedChanges += o.refusedChanges;
        transfers += o.transfers;
        leaderRemovals += o.leaderRemovals;
        snapshotsTaken += o.snapshotsTaken;
        snapshotsSent += o.snapshotsSent;
        snapshotsInstalled += o.snapshotsInstalled;
        compactions += o.compactions;
        diskFaults += o.diskFaults;
        fsyncFailures += o.fsyncFailures;
        healsWithRecoveringVoters += o.healsWithRecoveringVoters;
        healsWithSeveralRecoveringVoters += o.healsWithSeveralRecoveringVoters;
        joinedVotersDamaged += o.joinedVotersDamaged;
        wipedJoiners += o.wipedJoiners;
        o.diskFaultsByKind.forEach((k, v) -> diskFaultsByKind.merge(k, v, Long::sum));
    }

    @Override
    public String toString() {
        return "elections=" + elections + " leaderTerms=" + leaderTerms + " crashes=" + crashes + " restarts="
                + restarts + " partitions=" + partitions + " slowDisks=" + slowDisks + " pauses=" + pauses
                + " truncations=" + truncations + " committed=" + committed + " acknowledged=" + acknowledged
                + " messages=" + messages + " dropped=" + dropped + " duplicated=" + duplicated
                + " maxHealSteps=" + healSteps + " reads=" + reads + " readsServed=" + readsServed
                + " (lease " + leaseReadsServed + ", follower " + followerReadsServed + ") heldLeaseReads="
                + heldLeaseReads
                + " (served " + heldLeaseReadsServed + ") historyOps=" + historyOps
                + " unknownOps=" + unknownOps + " clientRetries=" + clientRetries
                + " membershipChanges=" + membershipChanges + " refusedChanges="
                + refusedChanges + " transfers=" + transfers + " leaderRemovals=" + leaderRemovals
                + " snapshotsTaken=" + snapshotsTaken + " snapshotsSent=" + snapshotsSent + " snapshotsInstalled="
                + snapshotsInstalled + " compactions=" + compactions + " diskFaults=" + diskFaults + " fsyncFailures="
                + fsyncFailures + " healsWithRecoveringVoters=" + healsWithRecoveringVoters + " (several "
                + healsWithSeveralRecoveringVoters + ") joinedVotersDamaged=" + joinedVotersDamaged + " (wiped "
                + wipedJoiners + ")";
    }
}
