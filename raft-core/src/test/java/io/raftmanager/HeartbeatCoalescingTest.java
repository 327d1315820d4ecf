package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Coalesced heartbeats: lossless packing, and a message count between two servers that ignores the group count. */
class HeartbeatCoalescingTest {
    private static RaftMessage heartbeat(String cluster, long group, long term, long commit, String context) {
        return RaftMessage.newBuilder()
                .setFormatVersion(1)
                .setClusterId(cluster)
                .setGroupId(group)
                .setFrom(1)
                .setTo(2)
                .setTerm(term)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder()
                        .setCommit(commit)
                        .setContext(ByteString.copyFromUtf8(context))
                        .setQuiesce(group % 4 == 0))
                .build();
    }

    private static RaftMessage answer(String cluster, long group, long term, String context) {
        return RaftMessage.newBuilder()
                .setFormatVersion(1)
                .setClusterId(cluster)
                .setGroupId(group)
                .setFrom(1)
                .setTo(2)
                .setTerm(term)
                .setHeartbeatResponse(HeartbeatResponse.newBuilder()
                        .setContext(ByteString.copyFromUtf8(context))
                        .setQuiesced(group % 4 == 1))
                .build();
    }

    @Test
    void packingAndUnpackingGivesBackEveryHeartbeatExactly() throws Exception {
        List<RaftMessage> in = new ArrayList<>();
        for (long g = 0; g < HeartbeatCoalescer.MAX_ENTRIES + 10; g++) {
            in.add(g % 2 == 0 ? heartbeat("a", g, g + 1, 3 * g, "r" + g) : answer("a", g, g + 2, "r" + g));
        }
        in.add(heartbeat("b", 7, 9, 4, ""));
        List<RaftMessage> batches = HeartbeatCoalescer.pack(1, 2, in);
        assertEquals(3, batches.size(), "cluster a needs two batches at the entry limit, cluster b one");
        List<RaftMessage> out = new ArrayList<>();
        for (RaftMessage b : batches) {
            assertEquals(RaftMessage.BodyCase.HEARTBEAT_BATCH, b.getBodyCase());
            assertEquals(1, b.getFrom());
            assertEquals(2, b.getTo());
            HeartbeatCoalescer.unpack(RaftMessage.parseFrom(b.toByteString()), out::add);
        }
        assertEquals(in, out);
    }

    /** Counts what a server's transport really sends to server 2, by message kind. */
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
                synchronized (toServer2) {
                    toServer2.merge(m.getBodyCase(), 1L, Long::sum);
                }
            }
            inner.send(m);
        }

        Map<RaftMessage.BodyCase, Long> snapshot() {
            synchronized (toServer2) {
                return new EnumMap<>(toServer2);
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private record Measured(int groups, double seconds, long messages, long batches, long heartbeats) {
        double messagesPerSecond() {
            return messages / seconds;
        }
    }

    private static final long WINDOW_MILLIS = 100;
    private static final long ROUNDS = 20;

    /** Runs {@code groups} idle groups on three servers and measures server 1's traffic to server 2. */
    private static Measured measure(int groups) {
        LocalNetwork network = new LocalNetwork();
        List<Counting> transports = new ArrayList<>();
        try (RaftEngine engine = RaftEngine.builder()
                        .loops(2)
                        .diskThreads(1)
                        .blockingThreads(2)
                        .name("coalesce")
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
                            .build();
                })) {
            for (long g = 1; g <= groups; g++) {
                for (RaftServer s : c.servers) {
                    s.createGroup(
                            RaftConfig.builder()
                                    .nodeId(s.nodeId())
                                    .clusterId("multi")
                                    .groupId(g)
                                    .tickMillis(WINDOW_MILLIS)
                                    .electionTicks(30) // 3 s: a loaded machine must not turn this into elections
                                    .digestIntervalTicks(0)
                                    .build(),
                            MemoryLogStorage.withVoters(1, 2, 3),
                            new MemorySnapshotStore(),
                            new RegisterStateMachine());
                }
            }
            for (long g = 1; g <= groups; g++) {
                c.write(g, "x"); // every group has a leader that committed an entry of its term
            }
            RaftServer one = c.servers.get(0);
            Map<RaftMessage.BodyCase, Long> before = transports.get(0).snapshot();
            long packedBefore = one.heartbeatStats().heartbeatsPacked();
            long start = System.nanoTime();
            // Until every group has exchanged heartbeats with server 2 a few times (requests or answers).
            ServerCluster.await(
                    () -> one.heartbeatStats().heartbeatsPacked() - packedBefore >= ROUNDS * groups,
                    "server 1 sends " + ROUNDS + " heartbeats per group");
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<RaftMessage.BodyCase, Long> after = transports.get(0).snapshot();
            after.replaceAll((k, v) -> v - before.getOrDefault(k, 0L));
            assertEquals(0, after.getOrDefault(RaftMessage.BodyCase.HEARTBEAT_REQUEST, 0L), "uncoalesced heartbeats");
            assertEquals(0, after.getOrDefault(RaftMessage.BodyCase.HEARTBEAT_RESPONSE, 0L), "uncoalesced answers");
            long messages = after.values().stream().mapToLong(Long::longValue).sum();
            long batches = after.getOrDefault(RaftMessage.BodyCase.HEARTBEAT_BATCH, 0L);
            return new Measured(
                    groups, seconds, messages, batches, one.heartbeatStats().heartbeatsPacked() - packedBefore);
        }
    }

    @Test
    void messagesBetweenTwoServersPerWindowDoNotGrowWithTheGroupCount() {
        for (int groups : new int[] {100, 1000}) {
            Measured m = measure(groups);
            System.err.printf(
                    "coalescing: %d groups, %.1f s: %d messages from server 1 to 2 (%d batches, %.1f/s), %d heartbeats"
                            + " packed%n",
                    m.groups(), m.seconds(), m.messages(), m.batches(), m.messagesPerSecond(), m.heartbeats());
            // One batch per window at most, plus the first one at once. Idle groups send nothing else, but on a
            // loaded machine a group may still re-elect meanwhile: allow a few such messages, far fewer than
            // the one message per heartbeat (ROUNDS * groups at least) that uncoalesced heartbeats would take.
            long batchBound = (long) Math.ceil(m.seconds() * 1000 / WINDOW_MILLIS) + 2;
            assertTrue(m.batches() <= batchBound, m + ": more than " + batchBound + " batches");
            assertTrue(m.messages() <= batchBound + 20, m + ": more than " + (batchBound + 20) + " messages");
            assertTrue(m.heartbeats() >= ROUNDS * groups, m.toString());
        }
    }
}
