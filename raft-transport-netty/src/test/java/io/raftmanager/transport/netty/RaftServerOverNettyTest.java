package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.ReadConsistency;
import io.raftmanager.StateMachine;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Three {@link RaftServer}s, each with one {@link NettyTransport} on the event loops of its engine and
 * coalescing heartbeats, host over a hundred groups; groups come and go while the others run, and the thread count does not follow
 * the group count.
 */
class RaftServerOverNettyTest {
    private static final int SERVERS = 3;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);

    /** Holds the last command applied; re-applying one is harmless, so writes may be retried. */
    private static final class Register implements StateMachine {
        private volatile ByteString value = ByteString.EMPTY;

        @Override
        public ByteString apply(long index, ByteString command) {
            value = command;
            return command;
        }

        @Override
        public ByteString query(ByteString query) {
            return value;
        }

        @Override
        public boolean applyOnEventLoop() {
            return true;
        }
    }

    private final List<EventLoopGroup> loops = new ArrayList<>();
    private final List<RaftEngine> engines = new ArrayList<>();
    private final List<RaftServer> servers = new ArrayList<>();
    private final List<NettyTransport> transports = new ArrayList<>();

    private void startServers() {
        for (long id = 1; id <= SERVERS; id++) {
            EventLoopGroup g = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("srvnetty-n" + id, true), NioIoHandler.newFactory());
            loops.add(g);
            List<EventExecutor> executors = new ArrayList<>();
            g.forEach(executors::add);
            RaftEngine engine = RaftEngine.builder()
                    .loopExecutors(executors)
                    .diskThreads(1)
                    .blockingThreads(1)
                    .name("srvnetty-e" + id)
                    .build();
            engines.add(engine);
            NettyTransport t = new NettyTransport(
                    Nodes.config(id, Map.of())
                            .servedGroups(group -> group > 0) // every id the cluster may use, hosted yet or not
                            .build(),
                    g);
            transports.add(t);
            RaftServer s = RaftServer.builder()
                    .nodeId(id)
                    .transport(t)
                    .scheduler(engine)
                    .seed(id)
                    .coalesceHeartbeatsMillis(50)
                    .build();
            s.start();
            servers.add(s);
        }
        for (int i = 0; i < SERVERS; i++) {
            for (int j = 0; j < SERVERS; j++) {
                if (i != j) {
                    transports.get(i).addPeer(j + 1, transports.get(j).boundAddress());
                }
            }
        }
    }

    private void close() {
        servers.forEach(RaftServer::close);
        engines.forEach(RaftEngine::close);
        loops.forEach(l -> l.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    }

    private void createEverywhere(long groupId) {
        for (RaftServer s : servers) {
            s.createGroup(
                    RaftConfig.builder()
                            .nodeId(s.nodeId())
                            .clusterId(Msgs.CLUSTER)
                            .groupId(groupId)
                            .tickMillis(50)
                            .electionTicks(20) // a loaded CI machine stalls loops for hundreds of ms
                            .build(),
                    MemoryLogStorage.withVoters(1, 2, 3),
                    new MemorySnapshotStore(),
                    new Register());
        }
    }

    private void write(long groupId, String value) throws InterruptedException {
        ByteString v = ByteString.copyFromUtf8(value);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                try {
                    if (s.group(groupId).propose(v).get(10, TimeUnit.SECONDS).equals(v)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not the leader, or none elected yet; the write is idempotent
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("group " + groupId + " never applied " + value);
    }

    private static boolean reads(RaftNode n, String value) throws InterruptedException {
        try {
            return n.read(ByteString.EMPTY, ReadConsistency.LINEARIZABLE)
                    .get(10, TimeUnit.SECONDS)
                    .equals(ByteString.copyFromUtf8(value));
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    private static int threadsNamed(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }

    @Test
    void aHundredAndTwentyGroupsShareOneTransportAndThreeThreadsPerServer() throws Exception {
        startServers();
        try {
            int groups = 120;
            for (long g = 1; g <= groups / 2; g++) {
                createEverywhere(g);
            }
            for (long g = 1; g <= groups / 2; g++) {
                write(g, "a" + g);
            }
            int threadsAtHalf = Thread.activeCount();
            for (long g = groups / 2 + 1; g <= groups; g++) {
                createEverywhere(g);
            }
            // Remove a tenth of the groups while the others elect and commit.
            for (long g = 1; g <= groups; g += 10) {
                for (RaftServer s : servers) {
                    assertTrue(s.removeGroup(g));
                    assertNull(s.group(g));
                }
            }
            for (long g = 1; g <= groups; g++) {
                if (g % 10 != 1) {
                    write(g, "b" + g);
                }
            }
            for (long g = 1; g <= groups; g++) {
                if (g % 10 == 1) {
                    continue;
                }
                for (RaftServer s : servers) {
                    long group = g;
                    RaftNode n = s.group(group);
                    await(
                            () -> {
                                try {
                                    return reads(n, "b" + group);
                                } catch (InterruptedException e) {
                                    throw new AssertionError(e);
                                }
                            },
                            "server " + s.nodeId() + " group " + g + " reads b" + g);
                }
            }
            for (RaftServer s : servers) {
                assertEquals(groups - groups / 10, s.groupCount());
            }
            int grown = Thread.activeCount() - threadsAtHalf;
            assertTrue(grown <= 0, "threads grew by " + grown + " when the group count doubled");
            for (long id = 1; id <= SERVERS; id++) {
                int n = threadsNamed("srvnetty-n" + id + "-") + threadsNamed("srvnetty-e" + id + "-");
                assertTrue(n <= 3, "server " + id + " runs " + n + " threads for " + groups + " groups");
            }
        } finally {
            close();
        }
    }

    @Test
    void framesForGroupsNotYetCreatedHereAreDroppedWithoutClosingTheConnection() throws Exception {
        startServers();
        try {
            createEverywhere(1);
            write(1, "before");
            // Group 2 exists on server 1 only: its votes reach servers 2 and 3, which drop them.
            servers.get(0)
                    .createGroup(
                            RaftConfig.builder()
                                    .nodeId(1)
                                    .clusterId(Msgs.CLUSTER)
                                    .groupId(2)
                                    .tickMillis(50)
                                    .electionTicks(20) // a loaded CI machine stalls loops for hundreds of ms
                                    .build(),
                            MemoryLogStorage.withVoters(1, 2, 3),
                            new MemorySnapshotStore(),
                            new Register());
            await(() -> servers.get(1).droppedForUnknownGroups() > 0, "server 2 drops group 2's messages");
            write(1, "after");
            for (RaftServer s : servers) {
                await(
                        () -> {
                            try {
                                return reads(s.group(1), "after");
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        },
                        "group 1 still replicates to server " + s.nodeId());
            }
            for (NettyTransport t : transports) {
                assertEquals(0, t.stats().inboundRefused(), "no connection was refused");
            }
            for (RaftServer s : servers) {
                // Heartbeat batches (envelope group 0, outside servedGroups) crossed the wire and were unpacked.
                assertTrue(s.heartbeatStats().batchesSent() > 0, "server " + s.nodeId() + " sent no batch");
            }
        } finally {
            close();
        }
    }
}
