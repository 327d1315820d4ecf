package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.node.RaftEngine;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Quiescence on the real engine (threads, clock): idle groups stop sending, the servers exchange only
 * keep-alives, a write wakes its group, and when a server dies every group it led elects elsewhere. The
 * simulator ({@code MultiGroupSimulationTest}) checks safety under faults; this checks the wiring.
 */
class QuiescenceTest {
    private static final long WINDOW_MILLIS = 100;
    private static final int GROUPS = 150;

    /** Counts what server 1 sends to server 2, by kind. */
    static final class Counting implements Transport {
        final Transport inner;
        final ConcurrentHashMap<RaftMessage.BodyCase, LongAdder> toServer2 = new ConcurrentHashMap<>();

        Counting(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void start(InboundHandler handler) {
            inner.start(handler);
        }

        @Override
        public void send(RaftMessage m) {
            if (m.getTo() == 2) {
                toServer2.computeIfAbsent(m.getBodyCase(), k -> new LongAdder()).increment();
            }
            inner.send(m);
        }

        long sum() {
            return toServer2.values().stream().mapToLong(LongAdder::sum).sum();
        }

        long of(RaftMessage.BodyCase kind) {
            LongAdder a = toServer2.get(kind);
            return a == null ? 0 : a.sum();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void idleGroupsQuiesceWakeOnAWriteAndReElectWhenTheirLeadersServerDies() throws Exception {
        LocalNetwork network = new LocalNetwork();
        List<Counting> transports = new ArrayList<>();
        Map<Long, Long> leaders = new ConcurrentHashMap<>();
        try (RaftEngine engine = RaftEngine.builder()
                        .loops(2)
                        .diskThreads(1)
                        .blockingThreads(2)
                        .name("quiesce")
                        .build();
                ServerCluster c = new ServerCluster(3, id -> {
                    Counting t = new Counting(network.transport(id));
                    transports.add(t);
                    return RaftServer.builder()
                            .nodeId(id)
                            .transport(t)
                            .scheduler(engine)
                            .seed(id)
                            .coalesceHeartbeatsMillis(WINDOW_MILLIS)
                            .quiesceIdleGroups(true)
                            .nodeLivenessTimeoutMillis(3_000) // a loaded machine must not look like a dead one
                            .build();
                })) {
            for (long g = 1; g <= GROUPS; g++) {
                for (RaftServer s : c.servers) {
                    long group = g;
                    long self = s.nodeId();
                    RaftNode n = s.createGroup(
                            RaftConfig.builder()
                                    .nodeId(self)
                                    .clusterId("multi")
                                    .groupId(g)
                                    .tickMillis(WINDOW_MILLIS)
                                    .electionTicks(30)
                                    .digestIntervalTicks(0)
                                    .build(),
                            MemoryLogStorage.withVoters(1, 2, 3),
                            new MemorySnapshotStore(),
                            new RegisterStateMachine());
                    n.addListener(new RaftListener() {
                        @Override
                        public void onRoleChange(Role role, long term, long leader) {
                            if (role == Role.LEADER) {
                                leaders.put(group, self);
                            }
                        }
                    });
                }
            }
            for (long g = 1; g <= GROUPS; g++) {
                c.write(g, "x");
            }
            ServerCluster.await(
                    () -> c.servers.stream()
                                    .mapToInt(RaftServer::quiescedGroupCount)
                                    .sum()
                            == 3 * GROUPS,
                    "every replica of every group quiesces");

            // Idle: server 1 sends server 2 keep-alives only, one per window, whatever the group count.
            RaftServer one = c.servers.get(0);
            long messagesBefore = transports.get(0).sum();
            long batchesBefore = transports.get(0).of(RaftMessage.BodyCase.HEARTBEAT_BATCH);
            long packedBefore = one.heartbeatStats().heartbeatsPacked();
            long start = System.nanoTime();
            Thread.sleep(2_000); // a measurement span, not a wait for an outcome
            double seconds = (System.nanoTime() - start) / 1e9;
            long messages = transports.get(0).sum() - messagesBefore;
            long batches = transports.get(0).of(RaftMessage.BodyCase.HEARTBEAT_BATCH) - batchesBefore;
            long packed = one.heartbeatStats().heartbeatsPacked() - packedBefore;
            System.err.printf(
                    "quiescence: %d groups idle %.1f s: %d messages from server 1 to 2 (%d batches), %d group"
                            + " heartbeats packed%n",
                    GROUPS, seconds, messages, batches, packed);
            long bound = (long) Math.ceil(seconds * 1000 / WINDOW_MILLIS) + 2;
            assertTrue(batches <= bound, batches + " batches in " + seconds + " s, more than one per window");
            // A group woken by a stall of the loaded machine may send a few; 20 heartbeats per group would be
            // the cost of ticking.
            assertTrue(packed < GROUPS, packed + " heartbeats packed: idle groups are not quiet");
            assertTrue(messages <= bound + GROUPS / 10, messages + " messages: idle groups are not quiet");

            // A write wakes its group and commits; the group quiesces again.
            c.write(7, "y");
            c.awaitValue(2, 7, "y");
            ServerCluster.await(
                    () -> c.servers.stream()
                                    .mapToInt(RaftServer::quiescedGroupCount)
                                    .sum()
                            == 3 * GROUPS,
                    "group 7 quiesces again");

            // Server 1 dies: every group it led, quiesced, elects a leader on server 2 or 3.
            List<Long> ledByOne = new ArrayList<>();
            leaders.forEach((g, id) -> {
                if (id == 1) {
                    ledByOne.add(g);
                }
            });
            assertTrue(!ledByOne.isEmpty(), "server 1 leads some groups: " + leaders);
            leaders.keySet().removeAll(ledByOne);
            one.close();
            ServerCluster.await(
                    () -> ledByOne.stream().allMatch(g -> leaders.containsKey(g) && leaders.get(g) != 1),
                    "the " + ledByOne.size() + " groups server 1 led elect new leaders");
            assertTrue(c.servers.get(1).suspectedServers().contains(1L), "server 2 suspects server 1");
            c.write(ledByOne.get(0), "after");
        }
    }

    @Test
    void quiescenceNeedsCoalescedHeartbeats() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> RaftServer.builder()
                        .nodeId(1)
                        .transport(new LocalNetwork().transport(1))
                        .quiesceIdleGroups(true)
                        .build());
        assertEquals("quiesceIdleGroups", e.field());
        InvalidConfigException tooShort = assertThrows(
                InvalidConfigException.class,
                () -> RaftServer.builder()
                        .nodeId(1)
                        .transport(new LocalNetwork().transport(1))
                        .coalesceHeartbeatsMillis(100)
                        .quiesceIdleGroups(true)
                        .nodeLivenessTimeoutMillis(150)
                        .build());
        assertEquals("nodeLivenessTimeoutMillis", tooShort.field());
    }
}
