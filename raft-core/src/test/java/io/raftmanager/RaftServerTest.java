package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many groups per process: one transport and one engine per server, groups created and removed at run time. */
class RaftServerTest {
    private static final String ENGINE = "srvtest";
    private RaftEngine engine;
    private LocalNetwork network;

    @BeforeEach
    void setUp() {
        engine = RaftEngine.builder()
                .loops(2)
                .diskThreads(1)
                .blockingThreads(2)
                .name(ENGINE)
                .build();
        network = new LocalNetwork();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private RaftServer server(long id) {
        return RaftServer.builder()
                .nodeId(id)
                .transport(network.transport(id))
                .scheduler(engine)
                .seed(id)
                .build();
    }

    private static long engineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(ENGINE + "-"))
                .count();
    }

    @Test
    void hundredsOfGroupsRunOnOneTransportPerServerAndAFixedThreadSet() {
        int groups = 120;
        try (ServerCluster c = new ServerCluster(3, this::server)) {
            int threadsBefore = Thread.activeCount();
            for (long g = 1; g <= groups; g++) {
                c.createEverywhere(g);
            }
            for (long g = 1; g <= groups; g++) {
                c.write(g, "value-of-" + g);
            }
            for (long g = 1; g <= groups; g++) {
                for (int s = 0; s < 3; s++) {
                    c.awaitValue(s, g, "value-of-" + g);
                }
            }
            for (RaftServer s : c.servers) {
                assertEquals(groups, s.groupCount());
            }
            // 360 replicas; the engine has 2 loops, 1 disk and 2 worker threads, and nothing else may start.
            assertTrue(engineThreads() <= 5, engineThreads() + " engine threads for " + 3 * groups + " replicas");
            int grown = Thread.activeCount() - threadsBefore;
            assertTrue(grown <= 5, "threads grew by " + grown + " for " + 3 * groups + " replicas");
        }
    }

    @Test
    void groupsAreCreatedAndRemovedWhileOthersKeepCommitting() throws Exception {
        try (ServerCluster c = new ServerCluster(3, this::server)) {
            for (long g = 1; g <= 20; g++) {
                c.createEverywhere(g);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger written = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int k = 0; !stop.get(); k++) {
                        c.write(1 + k % 10, "w" + k);
                        written.incrementAndGet();
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            });
            writer.start();
            try {
                ServerCluster.await(() -> written.get() >= 10, "the writer commits in groups 1-10");

                RaftNode removedHandle = c.servers.get(0).group(11);
                for (long g = 11; g <= 20; g++) {
                    for (RaftServer s : c.servers) {
                        assertTrue(s.removeGroup(g), "group " + g + " was hosted");
                        assertNull(s.group(g));
                    }
                }
                ExecutionException refused = assertThrows(
                        ExecutionException.class,
                        () -> removedHandle
                                .propose(ByteString.copyFromUtf8("x"))
                                .get(10, TimeUnit.SECONDS));
                assertTrue(refused.getCause() instanceof ClosedException, refused.toString());

                for (long g = 21; g <= 40; g++) {
                    c.createEverywhere(g);
                }
                for (long g = 21; g <= 40; g++) {
                    c.write(g, "new-" + g);
                    c.awaitValue(2, g, "new-" + g);
                }

                // A replica removed and created again resumes from its storage and catches up.
                RaftServer third = c.servers.get(2);
                assertFalse(third.removeGroup(15), "group 15 is already gone");
                third.group(25).close(); // closing a hosted node removes the group
                assertNull(third.group(25));
                c.write(25, "while-away");
                c.create(2, 25);
                c.awaitValue(2, 25, "while-away");

                int before = written.get();
                ServerCluster.await(() -> written.get() >= before + 10, "the writer keeps committing");
            } finally {
                stop.set(true);
                writer.join(TimeUnit.SECONDS.toMillis(120));
            }
            assertFalse(writer.isAlive(), "writer stopped");
            assertTrue(errors.isEmpty(), () -> "writer failed: " + errors);
            Set<Long> hosted = LongStream.concat(LongStream.rangeClosed(1, 10), LongStream.rangeClosed(21, 40))
                    .boxed()
                    .collect(Collectors.toSet());
            for (RaftServer s : c.servers) {
                assertEquals(hosted, s.groupIds());
            }
        }
    }

    @Test
    void aMessageForAGroupNotHostedHereIsDroppedAndCounted() {
        try (ServerCluster c = new ServerCluster(3, this::server)) {
            c.create(0, 99); // only server 1 hosts group 99: its (pre-)votes reach servers that do not
            ServerCluster.await(() -> c.servers.get(1).droppedForUnknownGroups() > 0, "server 2 drops them");
            assertEquals(0, c.servers.get(0).droppedForUnknownGroups());
            c.createEverywhere(7);
            c.write(7, "unaffected");
        }
    }

    @Test
    void misuseIsRefusedWithATypedError() {
        RaftServer s = server(1);
        ClosedException notStarted = assertThrows(
                ClosedException.class,
                () -> s.createGroup(
                        ServerCluster.config(1, 1),
                        MemoryLogStorage.withVoters(1),
                        new MemorySnapshotStore(),
                        new RegisterStateMachine()));
        assertTrue(notStarted.getMessage().contains("not started"), notStarted.getMessage());
        s.start();
        InvalidConfigException otherNode = assertThrows(
                InvalidConfigException.class,
                () -> s.createGroup(
                        ServerCluster.config(2, 1),
                        MemoryLogStorage.withVoters(2),
                        new MemorySnapshotStore(),
                        new RegisterStateMachine()));
        assertEquals("nodeId", otherNode.field());
        s.createGroup(
                ServerCluster.config(1, 1),
                MemoryLogStorage.withVoters(1),
                new MemorySnapshotStore(),
                new RegisterStateMachine());
        InvalidConfigException twice = assertThrows(
                InvalidConfigException.class,
                () -> s.createGroup(
                        ServerCluster.config(1, 1),
                        MemoryLogStorage.withVoters(1),
                        new MemorySnapshotStore(),
                        new RegisterStateMachine()));
        assertEquals("groupId", twice.field());
        assertEquals(List.of(1L), List.copyOf(s.groupIds()));
        s.close();
        assertEquals(0, s.groupCount());
        assertThrows(ClosedException.class, s::start);
        InvalidConfigException noNode = assertThrows(
                InvalidConfigException.class,
                () -> RaftServer.builder().transport(network.transport(5)).build());
        assertEquals("nodeId", noNode.field());
    }
}
