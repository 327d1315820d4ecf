package io.raftmanager.testkit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ReadConsistency;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.testkit.ClientHistory;
import io.raftmanager.testkit.SimCluster;
import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.Model;
import io.raftmanager.testkit.linearizability.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The complete example from the README's user guide: a user's {@link TallyStateMachine} run by a
 * {@link SimCluster} under partitions, message loss and crashes, its client history checked against a
 * model of the tally. The second test plants a bug (reads served by any follower, unchecked) and shows
 * the checker catches it.
 */
class TallyStateMachineTest {

    /** What a client asks: add an amount (a write) or read the total. */
    record TallyOp(boolean read, long amount) {
        static TallyOp add(long amount) {
            return new TallyOp(false, amount);
        }

        static TallyOp get() {
            return new TallyOp(true, 0);
        }
    }

    /** How operations travel to the state machine: an add is a command, a read a query. */
    static ClientHistory.Codec<TallyOp, Long> codec(ReadConsistency reads) {
        return new ClientHistory.Codec<>() {
            @Override
            public ByteString encode(TallyOp op) {
                return TallyStateMachine.add(op.amount());
            }

            @Override
            public Long decode(TallyOp op, ByteString result) {
                return TallyStateMachine.decode(result);
            }

            @Override
            public boolean isRead(TallyOp op) {
                return op.read();
            }

            @Override
            public ReadConsistency readConsistency(TallyOp op) {
                return reads;
            }
        };
    }

    /** The sequential specification: the state is the total; an add returns the new total, a read the total. */
    static final class TallyModel implements Model<Long, TallyOp, Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public Optional<Long> step(Long total, TallyOp op, Long output) {
            long next = op.read() ? total : total + op.amount();
            return output == null || output == next ? Optional.of(next) : Optional.empty();
        }
    }

    private static SimCluster cluster(long seed) {
        return SimCluster.builder()
                .nodes(3)
                .seed(seed)
                .stateMachine(id -> new TallyStateMachine())
                // Snapshot often, so restarts and lagging followers go through snapshots too.
                .config(c -> c.snapshot(SnapshotConfig.builder()
                        .everyEntries(20)
                        .trailingEntries(5)
                        .build()))
                .build();
    }

    @Test
    void tallyStaysLinearizableThroughPartitionsLossAndCrashes() {
        for (long seed = 1; seed <= 3; seed++) {
            try (SimCluster cluster = cluster(seed)) {
                cluster.awaitLeader();
                ClientHistory<TallyOp, Long> history = cluster.history(codec(ReadConsistency.LINEARIZABLE));
                for (int round = 0; round < 12; round++) {
                    for (int client = 0; client < 4; client++) {
                        history.invoke(client, client % 2 == 0 ? TallyOp.add(round + 1) : TallyOp.get());
                    }
                    cluster.runFor(Duration.ofMillis(60));
                    switch (round % 4) {
                        case 0 -> cluster.isolate(cluster.leader().orElse(1L));
                        case 1 -> cluster.heal();
                        case 2 -> cluster.crash(2);
                        default -> cluster.restart(2);
                    }
                    cluster.messageLoss(round % 3 == 0 ? 0.05 : 0);
                }
                cluster.heal();
                cluster.messageLoss(0);
                cluster.runFor(Duration.ofSeconds(2));

                CheckResult result = history.check(new TallyModel());
                assertTrue(result.isLinearizable(), "seed " + seed + ": " + result);
                int ok = history.outcomes().getOrDefault(Operation.Outcome.OK, 0);
                assertTrue(ok >= 12, "seed " + seed + ": too few operations succeeded to mean anything: " + ok);
                assertEquals(List.of(), cluster.divergences());
            }
        }
    }

    @Test
    void staleFollowerReadsAreCaught() {
        try (SimCluster cluster = cluster(7)) {
            long leader = cluster.awaitLeader();
            long follower = cluster.ids().stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            // The planted bug: reads answered from any replica's local state with no freshness check.
            ClientHistory<TallyOp, Long> history = cluster.history(codec(ReadConsistency.STALE));
            cluster.await(history.invokeAt(leader, 1, TallyOp.add(5)), Duration.ofSeconds(5));
            cluster.runFor(Duration.ofMillis(200));
            cluster.isolate(follower);
            cluster.await(history.invokeAt(leader, 1, TallyOp.add(7)), Duration.ofSeconds(5));
            // Total is 12 now, but the cut-off follower still has 5.
            cluster.await(history.invokeAt(follower, 2, TallyOp.get()), Duration.ofSeconds(5));

            CheckResult result = history.check(new TallyModel());
            assertEquals(CheckResult.Verdict.NOT_LINEARIZABLE, result.verdict(), result.toString());
        }
    }
}
