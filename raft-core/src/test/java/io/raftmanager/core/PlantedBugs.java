package io.raftmanager.core;

/**
 * Test-only switches that break a core on purpose, so a test can show the simulator and the
 * linearizability checker catch the breakage. Nothing outside tests can reach them.
 */
public final class PlantedBugs {
    private PlantedBugs() {}

    /** The leader answers ReadIndex requests without confirming its leadership by a heartbeat round. */
    public static void readIndexWithoutHeartbeatRound(Raft raft) {
        raft.leader.plantedReadWithoutRound = true;
    }

    /** A server with empty or lost storage votes at once, as if its disk were intact (no recovery). */
    public static void wipedServerVotesAtOnce(Raft raft) {
        raft.recovery.plantVoteAtOnce();
    }

    /** A blank server without a configuration votes as a new one would: the wiped-joiner hole. */
    public static void blankJoinerVotes(Raft raft) {
        raft.recovery.plantedBlankJoinerVotes = true;
    }

    /** The leader makes a server a voter before it has acknowledged anything (addVoter of a new server). */
    public static void votersWithoutAcknowledgement(Raft raft) {
        raft.reconfiguration.plantedBlankVoters = true;
    }

    /** A new cluster forms when a majority of voters (not every voter) reports an empty log. */
    public static void majorityFormsNewCluster(Raft raft) {
        raft.recovery.plantedMajorityForNewCluster = true;
    }

    /** A recovering server votes again in terms it may already have voted in before its loss. */
    public static void noVoteFloor(Raft raft) {
        raft.recovery.plantedNoVoteFloor = true;
    }

    /**
     * The leader judges its lease on the ticks it has counted rather than on the clock reading that came
     * with the read: after a stall, reads drained before the missed ticks are caught up are served from an
     * expired lease (the runtime's old read-before-tick order).
     */
    public static void leaseOnCountedTicks(Raft raft) {
        raft.leader.plantedLeaseOnTicks = true;
    }

    /** A server that restarts forgets it may have granted a lease, and grants votes at once. */
    public static void forgetLeaseOnRestart(Raft raft) {
        raft.honoursLeaseAfterRestart = false;
    }

    /**
     * The leader quiesces with entries not yet committed or held by every follower, and followers quiesce
     * whatever their log holds: a lost append is then never sent again while the group sleeps.
     */
    public static void quiesceWithUncommittedEntries(Raft raft) {
        raft.quiescence.plantedQuiesceUncommitted = true;
    }

    /**
     * A recovering server ignores the configurations reported in probe answers and hears only the voters of
     * the configuration it holds, which after a lost log is its bootstrap one (the stale-configuration hole).
     */
    public static void ignoreReportedConfigurations(Raft raft) {
        raft.recovery.plantedIgnoreReportedConfigs = true;
    }

    /**
     * A recovering server answers leaders before it knows the voters' terms: a leader cut off since a
     * later term began counts its acknowledgements (the server forgot that later term).
     */
    public static void answerLeadersAtOnce(Raft raft) {
        raft.recovery.plantedAnswerLeadersAtOnce = true;
    }

    /** A recovering server without a configuration answers the leader it hears from at once. */
    public static void joinerAnswersLeadersAtOnce(Raft raft) {
        raft.recovery.plantedJoinerAnswersLeadersAtOnce = true;
    }

    /** A recovering server probes the voters that have not answered every tick (unpaced probe rounds). */
    public static void probeEveryTick(Raft raft) {
        raft.recovery.plantedProbeEveryTick = true;
    }
}
