package io.raftmanager.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many of one server's groups may campaign at the same time. A group whose election timeout runs out
 * takes a permit before it campaigns and gives it back once it leads or follows again (or when its next
 * election timeout runs out, so a campaign that cannot win does not keep a permit for ever); without one
 * it stays due and asks again at its next tick.
 *
 * <p>Why: thousands of groups time out together when a server hosting them starts, or when the server
 * leading many of them dies and their quiesced followers wake at the same moment. If they all campaign
 * at once, the vote messages queue behind each other until they take longer than an election timeout, the
 * other replicas time out as well, the votes split, and the next round is as crowded as the first: the
 * groups never settle (seen with 10,000 groups on 3 servers). Campaigns a few dozen at a time each end in
 * a few milliseconds, so the groups are elected one batch after another.
 */
public final class ElectionPermits {
    private final int limit;
    private final AtomicInteger inUse = new AtomicInteger();
    private final LongAdder deferred = new LongAdder();

    /** @param limit campaigns at once; at least 1 */
    public ElectionPermits(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        this.limit = limit;
    }

    /** Takes a permit if one is free; counts a deferred campaign otherwise. */
    boolean tryAcquire() {
        for (; ; ) {
            int n = inUse.get();
            if (n >= limit) {
                deferred.increment();
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        inUse.decrementAndGet();
    }

    /** The most campaigns at once. */
    public int limit() {
        return limit;
    }

    /** Permits held now: groups campaigning on this server. */
    public int inUse() {
        return inUse.get();
    }

    /** Ticks at which a due election waited for a permit, since creation. */
    public long deferrals() {
        return deferred.sum();
    }
}
