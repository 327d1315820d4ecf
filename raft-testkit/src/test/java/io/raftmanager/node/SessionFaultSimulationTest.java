package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.raftmanager.ClientSession;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.ProposalDroppedException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A session client under leader faults, through the real runtime under the simulator: every INCR is
 * retried with its sequence number until it succeeds, while leaders are isolated or lose their
 * followers' acknowledgements mid-proposal. Exactly once means every server ends with a counter equal to
 * the number of INCRs. With deduplication planted off, the same runs apply some retries twice.
 */
class SessionFaultSimulationTest {
    private static final int COMMANDS = 25;
    private static final ByteString INCR = ByteString.copyFromUtf8("1");

    /** Returns the surplus applies seen on any server (0 when exactly once) and how many retries ran. */
    private static long[] run(long seed, boolean plantBug) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, seed, b -> b.digestIntervalTicks(8))) {
            if (plantBug) {
                c.nodes.values().forEach(n -> n.commandsForTest().sessions().disableDedupForTest());
            }
            ClientSession session = null;
            while (session == null) {
                long leader = c.awaitLeader(5_000);
                CompletableFuture<ClientSession> f = c.nodes.get(leader).registerSession();
                c.await(f, 5_000);
                session = f.isCompletedExceptionally() ? null : f.join();
            }
            long retries = 0;
            for (int i = 0; i < COMMANDS; i++) {
                long seq = session.nextSequence();
                for (int attempt = 0; ; attempt++) {
                    if (attempt > 10) {
                        fail("seed " + seed + ": sequence " + seq + " never succeeded");
                    }
                    long leader = c.awaitLeader(10_000);
                    CompletableFuture<ByteString> f =
                            session.moveTo(c.nodes.get(leader)).propose(INCR, seq);
                    if (attempt < 2) { // later attempts run fault-free, so every command ends
                        injectFault(c, leader, rnd);
                    }
                    c.await(f, 10_000);
                    c.network.heal();
                    try {
                        f.join();
                        break;
                    } catch (CompletionException e) {
                        Throwable t = e.getCause();
                        assertTrue(
                                t instanceof IndeterminateResultException
                                        || t instanceof NotLeaderException
                                        || t instanceof ProposalDroppedException,
                                "seed " + seed + ": only retryable outcomes here: " + t);
                        retries++;
                        c.runFor(50);
                    }
                }
            }
            c.network.heal();
            c.runFor(1_000);
            long surplus = 0;
            for (long id : c.nodes.keySet()) {
                surplus = Math.max(surplus, c.value(id) - COMMANDS);
                if (!plantBug) {
                    assertEquals(COMMANDS, c.value(id), "seed " + seed + ": server " + id + " applied exactly once");
                }
            }
            assertEquals(java.util.List.of(), c.divergences, "seed " + seed + ": digests agree");
            return new long[] {surplus, retries};
        }
    }

    /**
     * Sometimes, before the leader even handles the proposal (the network delivers at once, so any later
     * would be after the commit): cut the leader off entirely, or only from its followers' acknowledgements.
     */
    private static void injectFault(SimRuntimeCluster c, long leader, SplittableRandom rnd) {
        int kind = rnd.nextInt(4);
        if (kind == 0) {
            return;
        }
        for (long id : c.nodes.keySet()) {
            if (id != leader) {
                c.network.cut(id, leader);
                if (kind == 1) {
                    c.network.cut(leader, id);
                }
            }
        }
    }

    @Test
    void everyIncrIsAppliedExactlyOnceDespiteRetriesAcrossFailovers() {
        long retries = 0;
        for (long seed = 1; seed <= 8; seed++) {
            retries += run(seed, false)[1];
        }
        assertTrue(retries > 20, "the faults forced retries: " + retries);
    }

    @Test
    void withDeduplicationPlantedOffSomeRetryIsAppliedTwice() {
        long surplus = 0;
        for (long seed = 1; seed <= 8 && surplus == 0; seed++) {
            surplus = run(seed, true)[0];
        }
        assertTrue(surplus > 0, "the planted bug shows as a counter above the number of INCRs");
    }
}
