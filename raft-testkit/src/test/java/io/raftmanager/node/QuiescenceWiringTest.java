package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.ReadConsistency;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.testkit.SimScheduler;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Quiescence wired into {@link RaftServer}: idle groups stop sending and the servers exchange only
 * keep-alives, a write wakes its group which then quiesces again, and when a server dies every group it
 * led elects a leader elsewhere. Runs under the {@link SimScheduler} with a loss-free {@link SimWire}, so
 * the idle span is exactly so many heartbeat windows and the counts are exact, whatever the machine's
 * load (it used to run on real threads and a 2-second sleep, with bounds loose enough for a stalled
 * machine). {@code MultiGroupSimulationTest} checks safety under faults; this checks the wiring.
 */
class QuiescenceWiringTest {
    private static final long MS = 1_000_000L;
    private static final long WINDOW_MS = 100;
    private static final long LIVENESS_MS = 1_000;
    private static final int GROUPS = 60;
    private static final int IDLE_WINDOWS = 20;

    /** One value; a command replaces it, so retrying one is harmless. */
    private static final class Register implements StateMachine {
        private ByteString value = ByteString.EMPTY;

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

    /** Counts what server 1 sends to server 2, by kind. */
    private static final class Counting implements Transport {
        final Transport inner;
        final Map<RaftMessage.BodyCase, Long> toServer2 = new EnumMap<>(RaftMessage.BodyCase.class);

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
                toServer2.merge(m.getBodyCase(), 1L, Long::sum);
            }
            inner.send(m);
        }

        long sum() {
            return toServer2.values().stream().mapToLong(Long::longValue).sum();
        }

        long of(RaftMessage.BodyCase kind) {
            return toServer2.getOrDefault(kind, 0L);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private final SimScheduler scheduler = new SimScheduler();
    private final SimWire wire = new SimWire(scheduler, new SplittableRandom(7), 0, 0, MS / 10, 2 * MS);
    private final List<RaftServer> servers = new ArrayList<>();
    private final List<Transport> transports = new ArrayList<>();
    /** Group to the server that last became its leader, from the listeners. */
    private final Map<Long, Long> leaders = new HashMap<>();

    @Test
    void idleGroupsQuiesceWakeOnAWriteAndReElectWhenTheirLeadersServerDies() {
        scheduler.start("wire", wire);
        Counting fromOne = new Counting(wire.open(1));
        for (long id = 1; id <= 3; id++) {
            Transport t = id == 1 ? fromOne : wire.open(id);
            transports.add(t);
            RaftServer s = RaftServer.builder()
                    .nodeId(id)
                    .transport(t)
                    .scheduler(scheduler)
                    .seed(id)
                    .coalesceHeartbeatsMillis(WINDOW_MS)
                    .quiesceIdleGroups(true)
                    .nodeLivenessTimeoutMillis(LIVENESS_MS)
                    .build();
            s.start();
            servers.add(s);
        }
        for (long g = 1; g <= GROUPS; g++) {
            for (RaftServer s : servers) {
                createGroup(s, g);
            }
        }
        for (long g = 1; g <= GROUPS; g++) {
            write(g, "x");
        }
        runUntil(() -> quiesced() == 3 * GROUPS, 60_000, "every replica of every group quiesces");
        // The followers' answers to the last (quiesce) heartbeats leave in the next batch.
        scheduler.runFor(2 * WINDOW_MS * MS);

        // Idle: server 1 sends server 2 one keep-alive batch per window and nothing else, whatever the group count.
        RaftServer one = servers.get(0);
        long messagesBefore = fromOne.sum();
        long batchesBefore = fromOne.of(RaftMessage.BodyCase.HEARTBEAT_BATCH);
        long packedBefore = one.heartbeatStats().heartbeatsPacked();
        scheduler.runFor(IDLE_WINDOWS * WINDOW_MS * MS);
        long batches = fromOne.of(RaftMessage.BodyCase.HEARTBEAT_BATCH) - batchesBefore;
        assertTrue(
                batches >= IDLE_WINDOWS - 1 && batches <= IDLE_WINDOWS + 1,
                batches + " batches in " + IDLE_WINDOWS + " windows: keep-alives must flow, one per window");
        assertEquals(0, one.heartbeatStats().heartbeatsPacked() - packedBefore, "idle groups sent heartbeats");
        assertEquals(
                batches, fromOne.sum() - messagesBefore, "server 1 sent more than keep-alives: " + fromOne.toServer2);
        assertEquals(3 * GROUPS, quiesced(), "a group woke while idle");

        // A write wakes its group and commits everywhere; the group quiesces again.
        write(7, "y");
        runUntil(() -> "y".equals(read(servers.get(1), 7)), 10_000, "server 2 reads group 7's write");
        runUntil(() -> quiesced() == 3 * GROUPS, 60_000, "group 7 quiesces again");

        // Server 1 dies: every group it led, quiesced, elects a leader on server 2 or 3.
        List<Long> ledByOne = new ArrayList<>();
        leaders.forEach((g, id) -> {
            if (id == 1) {
                ledByOne.add(g);
            }
        });
        assertFalse(ledByOne.isEmpty(), "server 1 leads some groups: " + leaders);
        one.close();
        transports.get(0).close();
        long diedAt = scheduler.nanoTime();
        runUntil(
                () -> ledByOne.stream().allMatch(g -> leaders.get(g) != 1),
                LIVENESS_MS + 10_000,
                "the " + ledByOne.size() + " groups server 1 led elect new leaders");
        // Quiesced followers do not tick: only the suspicion (silence for the liveness timeout) wakes them.
        assertTrue(
                scheduler.nanoTime() - diedAt >= (LIVENESS_MS - WINDOW_MS) * MS,
                "re-elected before server 1 could be suspected");
        assertTrue(servers.get(1).suspectedServers().contains(1L), "server 2 suspects server 1");
        assertTrue(servers.get(2).suspectedServers().contains(1L), "server 3 suspects server 1");
        write(ledByOne.get(0), "after");
    }

    private void createGroup(RaftServer s, long g) {
        long self = s.nodeId();
        RaftNode n = s.createGroup(
                RaftConfig.builder()
                        .nodeId(self)
                        .clusterId("multi")
                        .groupId(g)
                        .tickMillis(WINDOW_MS)
                        .electionTicks(30)
                        .digestIntervalTicks(0)
                        .build(),
                MemoryLogStorage.withVoters(1, 2, 3),
                new Register());
        n.addListener(new RaftListener() {
            @Override
            public void onRoleChange(Role role, long term, OptionalLong leader) {
                if (role == Role.LEADER) {
                    leaders.put(g, self);
                }
            }
        });
    }

    private int quiesced() {
        return servers.stream().mapToInt(RaftServer::quiescedGroupCount).sum();
    }

    /** Writes through whichever live server leads the group, retrying (the command is idempotent). */
    private void write(long group, String value) {
        ByteString v = ByteString.copyFromUtf8(value);
        long deadline = scheduler.nanoTime() + 60_000 * MS;
        while (scheduler.nanoTime() < deadline) {
            for (int i = 0; i < servers.size(); i++) {
                RaftNode n = servers.get(i).group(group);
                if (n == null || !n.state().isLeader()) {
                    continue;
                }
                CompletableFuture<ByteString> f = n.propose(v);
                runUntil(f::isDone, 10_000, "an outcome for the write to group " + group);
                if (!f.isCompletedExceptionally() && f.join().equals(v)) {
                    return;
                }
            }
            scheduler.runFor(10 * MS);
        }
        throw new AssertionError("group " + group + " never applied " + value);
    }

    /** A linearizable read of the group on server {@code s}, or null if it failed. */
    private String read(RaftServer s, long group) {
        CompletableFuture<ByteString> f = s.group(group).read(ByteString.EMPTY, ReadConsistency.LINEARIZABLE);
        runUntil(f::isDone, 10_000, "an outcome for a read of group " + group);
        return f.isCompletedExceptionally() ? null : f.join().toStringUtf8();
    }

    /** Lets virtual time pass until {@code condition} holds, failing after {@code maxMillis} of it. */
    private void runUntil(BooleanSupplier condition, long maxMillis, String what) {
        long deadline = scheduler.nanoTime() + maxMillis * MS;
        while (!condition.getAsBoolean()) {
            assertTrue(scheduler.nanoTime() < deadline, "waited " + maxMillis + " ms of virtual time for: " + what);
            scheduler.runFor(5 * MS);
        }
    }
}
