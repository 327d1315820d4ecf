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
}
