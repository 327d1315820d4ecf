package io.raftmanager.examples.kv;

import io.raftmanager.NodeStatus;
import io.raftmanager.RaftServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads the groups' leaders evenly over the nodes: group g prefers the (g mod n)-th of its voters in id
 * order ({@link RaftServer#preferredLeader}, where the groups also campaign first). Each node looks at the groups it leads but does not prefer and hands each to its preferred node
 * by leadership transfer once that node has caught up (it answered in this term and lags by nothing), so
 * leaders move back to a node that returns after a failure. A few transfers per round keep the moves
 * gentle; a target that failed to take over is left alone for a while, since an idle group cannot tell a
 * caught-up node from one that died after catching up.
 */
final class LeaderBalancer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderBalancer.class);
    static final long PERIOD_MILLIS = 500;
    static final int MOVES_PER_ROUND = 128;
    static final long BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final KvNode node;
    private final ScheduledFuture<?> task;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong transfers = new AtomicLong();
    private final Map<Long, Long> failedAt = new ConcurrentHashMap<>();
    private int cursor;

    LeaderBalancer(KvNode node, ScheduledExecutorService executor) {
        this.node = node;
        this.task = executor.scheduleWithFixedDelay(this::round, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The node group {@code shard} prefers as its leader, or 0 when it has no voters yet. */
    static long preferred(Shard shard) {
        // The server's rule, so elections (which campaign there first) and the balancer agree.
        return RaftServer.preferredLeader(shard.index(), shard.membership().voters());
    }

    /** Leadership transfers this node started to balance leaders. */
    long transfers() {
        return transfers.get();
    }

    private void round() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        List<Shard> shards = node.shards();
        long self = node.config().id();
        long now = System.nanoTime();
        List<CompletableFuture<Boolean>> moves = new ArrayList<>();
        // Round-robin from where the last round stopped, so every group gets its turn.
        for (int seen = 0; seen < shards.size() && moves.size() < MOVES_PER_ROUND; seen++) {
            Shard s = shards.get(cursor);
            cursor = (cursor + 1) % shards.size();
            long target = s.isLeader() ? preferred(s) : 0;
            if (target == 0 || target == self) {
                continue;
            }
            Long failed = failedAt.get(target);
            if (failed != null && now - failed < BACKOFF_NANOS) {
                continue;
            }
            moves.add(move(s, target));
        }
        CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            long moved = moves.stream().filter(f -> f.getNow(false)).count();
            if (moved > 0) {
                LOG.info("node {} handed {} group leader(s) to their preferred nodes", self, moved);
            }
            running.set(false);
        });
    }

    /** Transfers {@code s} to {@code target} if it is caught up; completes with whether it moved. */
    private CompletableFuture<Boolean> move(Shard s, long target) {
        // Guards only: a status or transfer that never ended would stop every later round.
        long guard = 4L * node.config().electionTimeoutMillis() + node.config().requestTimeoutMillis();
        return s.raft()
                .status()
                .orTimeout(guard, TimeUnit.MILLISECONDS)
                .thenCompose(st -> {
                    NodeStatus.PeerStatus p = st.peers().get(target);
                    if (st.role() != io.raftmanager.Role.LEADER || p == null || p.lag() > 0 || p.matchIndex() == 0) {
                        return CompletableFuture.completedFuture(false);
                    }
                    transfers.incrementAndGet();
                    return s.raft()
                            .transferLeadership(target)
                            .orTimeout(guard, TimeUnit.MILLISECONDS)
                            .handle((ok, err) -> {
                                if (err != null) {
                                    failedAt.put(target, System.nanoTime());
                                    LOG.debug(
                                            "group {}: leadership transfer to {} failed: {}",
                                            s.index(),
                                            target,
                                            err.toString());
                                    return false;
                                }
                                failedAt.remove(target);
                                return true;
                            });
                })
                .exceptionally(e -> false);
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
