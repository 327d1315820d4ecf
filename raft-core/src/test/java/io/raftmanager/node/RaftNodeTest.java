package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ClosedException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RaftNodeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static ByteString cmd(long n) {
        return ByteString.copyFromUtf8(Long.toString(n));
    }

    @Test
    void threeNodesElectALeaderAndApplyProposalsEverywhere() {
        try (LocalCluster c = new LocalCluster(3)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            List<CompletableFuture<ByteString>> futures = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                futures.add(leader.propose(cmd(i)));
            }
            assertEquals(
                    "5050",
                    futures.get(99).orTimeout(30, TimeUnit.SECONDS).join().toStringUtf8());
            for (long id : c.ids()) {
                LocalCluster.await(
                        () -> c.machines
                                .get(id)
                                .query(ByteString.EMPTY)
                                .toStringUtf8()
                                .equals("5050"),
                        TIMEOUT,
                        "node " + id + " to apply all 100 commands");
            }
        }
    }

    /**
     * The transport starts before the loop's first tick. A server that starts blank probes its peers at
     * its first tick; when the loop ran first, those probes went to a transport not started yet, were
     * dropped unseen, and the server waited a whole probe round (raft-kv KvStorageFaultTest in CI: a
     * voter stopped in that round, and the group could not commit until it returned). This transport
     * takes several ticks to start, as one binding a port and loading TLS material may.
     */
    @Test
    void nothingIsSentBeforeTheTransportHasStarted() throws Exception {
        AtomicBoolean started = new AtomicBoolean();
        AtomicInteger sentEarly = new AtomicInteger();
        CountDownLatch sent = new CountDownLatch(1);
        Transport slowToStart = new Transport() {
            @Override
            public void start(InboundHandler handler) {
                try {
                    Thread.sleep(8 * 25); // eight ticks of LocalCluster.config
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                started.set(true);
            }

            @Override
            public void send(RaftMessage message) {
                if (!started.get()) {
                    sentEarly.incrementAndGet();
                }
                sent.countDown();
            }

            @Override
            public void close() {}
        };
        try (RaftNode node = RaftNode.builder()
                .config(LocalCluster.config(1))
                .storage(MemoryLogStorage.withVoters(1, 2, 3))
                .transport(slowToStart)
                .stateMachine(new CounterStateMachine())
                .random(new SplittableRandom(1))
                .build()) {
            node.start();
            assertTrue(sent.await(30, TimeUnit.SECONDS), "the blank server probed its peers");
            assertEquals(0, sentEarly.get(), "messages sent before the transport started");
        }
    }

    @Test
    void followerRefusesProposalsNamingTheLeader() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(cmd(1), TIMEOUT);
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long leaderId = leader.status().join().id();
            RaftNode follower = c.nodes.values().stream()
                    .filter(n -> n != leader)
                    .findFirst()
                    .orElseThrow();
            LocalCluster.await(
                    () -> follower.state().leader().equals(java.util.OptionalLong.of(leaderId)),
                    TIMEOUT,
                    "follower to learn the leader");
            CompletionException e = assertThrows(
                    CompletionException.class, () -> follower.propose(cmd(1)).join());
            NotLeaderException nle = assertInstanceOf(NotLeaderException.class, e.getCause());
            assertEquals(leaderId, nle.leaderHint().orElseThrow());
        }
    }

    @Test
    void restartedNodeResumesFromItsStorage() {
        try (LocalCluster c = new LocalCluster(3)) {
            for (int i = 1; i <= 10; i++) {
                c.proposeAtLeader(cmd(i), TIMEOUT);
            }
            for (long id : c.ids()) {
                c.stop(id);
            }
            for (long id : c.ids()) {
                c.start(id);
            }
            assertEquals("66", c.proposeAtLeader(cmd(11), TIMEOUT).toStringUtf8());
        }
    }

    @Test
    void misuseFailsWithTypedErrors() {
        try (LocalCluster c = new LocalCluster(1)) {
            RaftNode leader = c.awaitLeader(TIMEOUT);
            assertThrows(NullPointerException.class, () -> leader.propose(null));
            leader.close();
            leader.close(); // idempotent
            CompletionException e = assertThrows(
                    CompletionException.class, () -> leader.propose(cmd(1)).join());
            assertInstanceOf(ClosedException.class, e.getCause());
            e = assertThrows(
                    CompletionException.class,
                    () -> leader.read(ByteString.EMPTY, ReadConsistency.STALE).join());
            assertInstanceOf(ClosedException.class, e.getCause());
        }
    }
}
