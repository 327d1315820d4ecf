package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Snapshots in a real 3-node cluster: the log is compacted behind automatic snapshots, a follower that
 * was down while the leader compacted catches up through a streamed snapshot, restarts resume from the
 * latest snapshot, and snapshotNow works (and fails typed for a state machine without snapshots).
 */
class RaftNodeSnapshotTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A cluster whose nodes keep their log, snapshot store and metrics across restarts. */
    private static final class Cluster implements AutoCloseable {
        final LocalNetwork network = new LocalNetwork();
        final Map<Long, MemoryLogStorage> logs = new HashMap<>();
        final Map<Long, MemorySnapshotStore> stores = new HashMap<>();
        final Map<Long, DigestStateMachine> machines = new HashMap<>();
        final Map<Long, RaftNode> nodes = new HashMap<>();
        final AtomicLong bytesReceived = new AtomicLong();
        final AtomicLong bytesSent = new AtomicLong();
        final SnapshotConfig policy;
        final long padBytes;
        final boolean applyOnLoop;

        Cluster(SnapshotConfig policy, long padBytes) {
            this(policy, padBytes, false);
        }

        Cluster(SnapshotConfig policy, long padBytes, boolean applyOnLoop) {
            this.policy = policy;
            this.padBytes = padBytes;
            this.applyOnLoop = applyOnLoop;
            for (long id = 1; id <= 3; id++) {
                logs.put(id, MemoryLogStorage.withVoters(1, 2, 3));
                stores.put(id, new MemorySnapshotStore());
                start(id);
            }
        }

        void start(long id) {
            DigestStateMachine sm = new DigestStateMachine(padBytes);
            sm.onLoop = applyOnLoop;
            network.transport(id).reopen();
            RaftNode node = RaftNode.builder()
                    .config(RaftConfig.builder()
                            .nodeId(id)
                            .clusterId("local")
                            .groupId(1)
                            .tickMillis(25)
                            .electionTicks(10)
                            .snapshot(policy)
                            .build())
                    .storage(logs.get(id))
                    .snapshotStore(stores.get(id))
                    .transport(network.transport(id))
                    .stateMachine(sm)
                    .random(new SplittableRandom(id))
                    .metrics(new NodeMetrics() {
                        @Override
                        public void recordSnapshotBytesReceived(long bytes) {
                            bytesReceived.addAndGet(bytes);
                        }

                        @Override
                        public void recordSnapshotBytesSent(long bytes) {
                            bytesSent.addAndGet(bytes);
                        }
                    })
                    .build();
            machines.put(id, sm);
            nodes.put(id, node);
            node.start();
        }

        void stop(long id) {
            nodes.remove(id).close();
            network.transport(id).close();
        }

        RaftNode leader() {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (RaftNode n : nodes.values()) {
                    if (n.status().orTimeout(5, TimeUnit.SECONDS).join().role() == io.raftmanager.Role.LEADER) {
                        return n;
                    }
                }
                sleep();
            }
            throw new AssertionError("no leader");
        }

        void propose(int count) {
            RaftNode leader = leader();
            for (int i = 0; i < count; i++) {
                try {
                    leader.propose(ByteString.copyFromUtf8("c" + i))
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join();
                } catch (CompletionException e) {
                    leader = leader();
                    i--;
                }
            }
        }

        @Override
        public void close() {
            nodes.values().forEach(RaftNode::close);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            sleep();
        }
    }

    @Test
    void followerBehindTheCompactedLogCatchesUpFromAStreamedSnapshotAndRestartsResumeFromSnapshots() {
        followerCatchesUpFromASnapshot(false, c -> {});
    }

    /**
     * The same with a state machine applied on the event loop: applies run on the group's loop, while the
     * snapshot install (which blocks) moves to a worker thread and applying resumes on the loop after it.
     */
    @Test
    void anApplierOnTheEventLoopInstallsSnapshotsOffTheLoop() {
        followerCatchesUpFromASnapshot(true, c -> {
            DigestStateMachine follower = c.machines.get(3L);
            assertTrue(
                    follower.applyThreads.stream().allMatch(t -> t.contains("-loop-")),
                    "applied on " + follower.applyThreads);
            assertTrue(
                    follower.restoreThreads.stream().noneMatch(t -> t.contains("-loop-")),
                    "installed the leader's snapshot on " + follower.restoreThreads);
        });
    }

    private void followerCatchesUpFromASnapshot(
            boolean applyOnLoop, java.util.function.Consumer<Cluster> afterCatchUp) {
        SnapshotConfig policy = SnapshotConfig.builder()
                .everyEntries(20)
                .trailingEntries(5)
                .chunkBytes(8 << 10)
                .windowChunks(2)
                .build();
        try (Cluster c = new Cluster(policy, 100_000, applyOnLoop)) {
            c.propose(5);
            c.stop(3);
            c.propose(120);
            // Compaction follows each snapshot asynchronously, on every server.
            await(
                    () -> c.logs.get(1L).firstIndex() > 20 && c.logs.get(2L).firstIndex() > 20,
                    "servers 1 and 2 to compact their logs");
            c.start(3);
            await(() -> c.machines.get(3L).count() == 125, "server 3 to catch up");
            assertEquals(c.machines.get(1L).state(), c.machines.get(3L).state());
            assertTrue(c.machines.get(3L).restores.get() >= 1, "server 3 never installed a snapshot");
            assertTrue(c.bytesReceived.get() >= 100_000, "received " + c.bytesReceived.get());
            assertTrue(c.logs.get(3L).snapshot().getIndex() > 0);
            afterCatchUp.accept(c);
            // Every server restarts from its latest snapshot and replays the log after it.
            for (long id = 1; id <= 3; id++) {
                c.stop(id);
                c.start(id);
            }
            c.propose(1);
            for (long id = 1; id <= 3; id++) {
                long server = id;
                await(() -> c.machines.get(server).count() == 126, "server " + server + " after restart");
                assertEquals(1, c.machines.get(server).restores.get(), "server " + server + " restored");
            }
            assertEquals(c.machines.get(1L).state(), c.machines.get(2L).state());
            assertEquals(c.machines.get(1L).state(), c.machines.get(3L).state());
        }
    }

    @Test
    void snapshotNowSnapshotsTheAppliedStateAndCompactsTheLog() {
        SnapshotConfig manual = SnapshotConfig.builder()
                .everyEntries(0)
                .everyBytes(0)
                .trailingEntries(2)
                .build();
        try (Cluster c = new Cluster(manual, 0)) {
            c.propose(30);
            RaftNode leader = c.leader();
            SnapshotMeta meta =
                    leader.snapshotNow().orTimeout(10, TimeUnit.SECONDS).join();
            assertTrue(meta.getIndex() >= 30, "index " + meta.getIndex());
            assertTrue(meta.getSizeBytes() > 16);
            assertEquals(3, meta.getMembership().getVotersCount());
            long id = c.nodes.entrySet().stream()
                    .filter(e -> e.getValue() == leader)
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            await(() -> c.logs.get(id).firstIndex() == meta.getIndex() - 1, "compaction keeping 2 entries");
            // Nothing applied since: the same snapshot comes back.
            assertEquals(
                    meta, leader.snapshotNow().orTimeout(10, TimeUnit.SECONDS).join());
        }
    }

    @Test
    void snapshotNowFailsTypedWhenTheStateMachineHasNoSnapshots() {
        try (LocalCluster c = new LocalCluster(1)) {
            RaftNode n = c.awaitLeader(TIMEOUT);
            CompletionException e = assertThrows(
                    CompletionException.class,
                    () -> n.snapshotNow().orTimeout(10, TimeUnit.SECONDS).join());
            assertTrue(e.getCause() instanceof UnsupportedOperationException, e.toString());
        }
    }
}
