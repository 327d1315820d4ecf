package io.raftmanager.sim;

import java.util.SplittableRandom;

/**
 * The fault mix of one simulation run. Each seed draws its own mix ("swarm testing"): some runs have
 * no loss but many crashes, others heavy reordering and partitions, so rare combinations are not
 * drowned out by an average.
 */
record SimOptions(
        int nodes,
        int electionTicks,
        int heartbeatTicks,
        boolean preVote,
        boolean checkQuorum,
        double dropRate,
        double duplicateRate,
        int maxExtraDelay,
        double partitionRate,
        double crashRate,
        double slowDiskRate,
        double pauseRate,
        double proposeRate,
        int maxInflightMessages,
        long maxMessageBytes,
        double membershipRate,
        double diskFaultRate) {

    static SimOptions draw(SplittableRandom rnd) {
        int nodes = rnd.nextBoolean() ? 3 : 5;
        int heartbeat = 1 + rnd.nextInt(2);
        int election = heartbeat * 4 + rnd.nextInt(8);
        // One run in four is "churn": leaders come and go every few election timeouts, which is what it
        // takes to reach the multi-leader histories of the paper's Figure 8.
        double churn = chance(rnd, 0.25) ? 4 + rnd.nextDouble() * 4 : 1;
        return new SimOptions(
                nodes,
                election,
                heartbeat,
                rnd.nextInt(4) != 0,
                rnd.nextInt(4) != 0,
                chance(rnd, 0.6) ? rnd.nextDouble() * 0.2 : 0,
                chance(rnd, 0.5) ? rnd.nextDouble() * 0.05 : 0,
                chance(rnd, 0.6) ? rnd.nextInt(30) : 0,
                chance(rnd, 0.6) ? (0.002 + rnd.nextDouble() * 0.03) * churn : 0,
                chance(rnd, 0.6) ? (0.001 + rnd.nextDouble() * 0.01) * churn : 0,
                chance(rnd, 0.4) ? 0.002 + rnd.nextDouble() * 0.01 : 0,
                chance(rnd, 0.3) ? 0.001 + rnd.nextDouble() * 0.004 : 0,
                0.05 + rnd.nextDouble() * 0.5,
                1 + rnd.nextInt(8),
                // 1 byte means one entry per message: followers then acknowledge prefixes of a leader's tail.
                new long[] {1, 1, 64, 512, 1 << 20}[rnd.nextInt(5)],
                chance(rnd, 0.7) ? 0.002 + rnd.nextDouble() * 0.01 : 0,
                // The chance that a crash also loses or damages the server's disk (see SimDiskFault).
                chance(rnd, 0.5) ? 0.1 + rnd.nextDouble() * 0.4 : 0);
    }

    /** No faults at all: the heal phase that must end in progress. */
    SimOptions healed() {
        return new SimOptions(
                nodes,
                electionTicks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                proposeRate,
                maxInflightMessages,
                maxMessageBytes,
                0,
                0);
    }

    private static boolean chance(SplittableRandom rnd, double p) {
        return rnd.nextDouble() < p;
    }
}
