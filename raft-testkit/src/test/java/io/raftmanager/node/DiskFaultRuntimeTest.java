package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.InvalidConfigException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.RaftConfig;
import io.raftmanager.spi.StorageFullException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Disk faults the runtime survives without stopping (docs/storage-faults.md), under the simulated
 * scheduler: a full disk refuses writes with a typed error and a metric and resumes when space returns; a
 * leader whose disk is full or stalls hands leadership to a voter that can write.
 */
class DiskFaultRuntimeTest {
    private static final ByteString ONE = ByteString.copyFromUtf8("1");

    @Test
    void aFullDiskRefusesWritesHandsLeadershipOffAndResumesWhenSpaceReturns() {
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 11, b -> b)) {
            long full = c.awaitLeader(10_000);
            c.await(c.nodes.get(full).propose(ONE), 5_000).join();

            c.fullDisks.add(full);
            CompletableFuture<ByteString> caught = c.nodes.get(full).propose(ONE); // meets the full disk
            c.runFor(2_000);
            assertEquals(Boolean.TRUE, c.diskFullMetric.get(full), "the disk-full gauge is up");
            assertTrue(c.await(c.nodes.get(full).status(), 1_000).join().diskFull(), "and the status says so");
            long next = c.leaderOrZero();
            assertTrue(next != 0 && next != full, "the full leader handed off; leader now " + next);
            assertEquals(1, c.diskStallStepDowns.get(full));
            CompletionException refused = assertThrows(
                    CompletionException.class,
                    () -> c.await(c.nodes.get(full).propose(ONE), 1_000).join());
            assertInstanceOf(StorageFullException.class, refused.getCause(), "a typed refusal");
            c.await(c.nodes.get(next).propose(ONE), 5_000).join(); // the others go on

            c.fullDisks.remove(full);
            c.runFor(2_000);
            assertEquals(Boolean.FALSE, c.diskFullMetric.get(full), "the gauge is down again");
            assertFalse(c.await(c.nodes.get(full).status(), 1_000).join().diskFull());
            assertTrue(caught.isDone(), "the write caught by the full disk got an outcome");
            long acknowledged = 2 + (caught.isCompletedExceptionally() ? 0 : 1);
            for (long id = 1; id <= 3; id++) {
                assertEquals(c.value(next), c.value(id), "server " + id + " caught up");
            }
            assertTrue(c.value(full) >= acknowledged, "no acknowledged write lost: " + c.value(full));
            CompletionException notLeader = assertThrows(
                    CompletionException.class,
                    () -> c.await(c.nodes.get(full).propose(ONE), 1_000).join());
            assertInstanceOf(NotLeaderException.class, notLeader.getCause(), "writes are no longer refused");
        }
    }

    /** RaftConfig.diskStallMillis moves the bound: here 1.5 s, well under the default 5 s. */
    @Test
    void theStallBoundIsConfigurable() {
        long boundMs = 1_500;
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 13, b -> b.diskStallMillis(boundMs))) {
            long stalled = c.awaitLeader(10_000);
            c.await(c.nodes.get(stalled).propose(ONE), 5_000).join();

            c.stalledDisks.add(stalled);
            c.nodes.get(stalled).propose(ONE);
            c.runFor(boundMs / 2);
            assertEquals(stalled, c.leaderOrZero(), "a stall under the bound is waited out");
            c.runFor(boundMs + 1_000);
            long next = c.leaderOrZero();
            assertNotEquals(0, next);
            assertNotEquals(stalled, next, "handed off after the configured bound, before the default 5 s");
            assertEquals(1, c.diskStallStepDowns.get(stalled));
            c.stalledDisks.remove(stalled);
        }
    }

    @Test
    void aStallBoundShorterThanAnElectionTimeoutIsRefused() {
        RaftConfig.Builder b =
                LocalCluster.config(1).toBuilder().electionTicks(10).tickMillis(100);
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class, () -> b.diskStallMillis(999).build());
        assertTrue(e.getMessage().contains("diskStallMillis"), e.getMessage());
        assertEquals(1_000, b.diskStallMillis(1_000).build().diskStallMillis());
        assertEquals(0, b.diskStallMillis(0).build().diskStallMillis(), "0: the default bound");
    }

    @Test
    void aLeaderWhoseDiskStallsHandsLeadershipOff() {
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 12, b -> b)) {
            long stalled = c.awaitLeader(10_000);
            c.await(c.nodes.get(stalled).propose(ONE), 5_000).join();

            c.stalledDisks.add(stalled);
            CompletableFuture<ByteString> caught = c.nodes.get(stalled).propose(ONE);
            c.runFor(EventLoop.MIN_DISK_STALL_NANOS / SimRuntimeCluster.MS / 2);
            assertEquals(stalled, c.leaderOrZero(), "a short stall is waited out");
            c.runFor(EventLoop.MIN_DISK_STALL_NANOS / SimRuntimeCluster.MS + 1_000);
            long next = c.leaderOrZero();
            assertNotEquals(0, next);
            assertNotEquals(stalled, next, "the stalled leader handed off");
            assertEquals(1, c.diskStallStepDowns.get(stalled));
            c.await(c.nodes.get(next).propose(ONE), 5_000).join();

            c.stalledDisks.remove(stalled);
            c.runFor(2_000);
            assertTrue(caught.isDone(), "the write caught by the stall got an outcome");
            for (long id = 1; id <= 3; id++) {
                assertEquals(c.value(next), c.value(id), "server " + id + " caught up");
            }
        }
    }
}
