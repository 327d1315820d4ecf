package io.raftmanager.sim;

/**
 * What a simulation run changes from the default, for tests that explore one hazard.
 *
 * @param fastestTickPeriod the fewest simulation steps between two ticks of a server's clock
 * @param slowestTickPeriod the most; each server draws its rate in between. The lease's drift bound
 *     ({@code leaseDriftTicks}) is sized for a ratio of 1.5 (4 to 6), so a wider spread is drift beyond
 *     the bound
 * @param plantReadWithoutRound planted bug: leaders answer ReadIndex without a heartbeat round
 * @param plantServeBeforeApply planted bug: a read is served as soon as its read index is known, before
 *     the server has applied up to it
 */
record SimVariant(
        int fastestTickPeriod, int slowestTickPeriod, boolean plantReadWithoutRound, boolean plantServeBeforeApply) {

    /** The clock spread the lease bound covers, and no planted bug. */
    static final SimVariant DEFAULT = new SimVariant(4, 6, false, false);

    SimVariant {
        if (fastestTickPeriod < 1 || slowestTickPeriod < fastestTickPeriod) {
            throw new IllegalArgumentException("tick periods " + fastestTickPeriod + ".." + slowestTickPeriod);
        }
    }

    /** Clocks up to three times faster than others: beyond the drift bound leases are sized for. */
    static SimVariant driftBeyondBound() {
        return new SimVariant(2, 6, false, false);
    }
}
