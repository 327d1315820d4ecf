package io.raftmanager.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Transport} must meet, as a reusable JUnit 5 suite: extend it, implement
 * {@link #createCluster}, and every test runs against your transport over real connections.
 *
 * <p>It covers delivery both ways, every message of a burst on a healthy link delivered exactly once,
 * large entries delivered intact, sending to a peer that is down neither throwing nor blocking the
 * others, and close being idempotent. Waits are bounded by {@link #deliveryTimeout()}; the first message
 * on a link is resent until it arrives, since a transport may drop messages while it connects.
 */
public abstract class TransportContractTest {
    /** The cluster id every message of this suite carries. */
    protected static final String CLUSTER = "contract";
    /** The group id every message of this suite carries. */
    protected static final long GROUP = 1;

    private final Map<Long, Transport> transports = new LinkedHashMap<>();
    private final Map<Long, BlockingQueue<RaftMessage>> received = new LinkedHashMap<>();

    /**
     * New, unstarted transports for servers 1 to {@code size} of cluster {@link #CLUSTER}, serving group
     * {@link #GROUP}, each able to reach every other. The suite starts and closes them.
     */
    protected abstract Map<Long, Transport> createCluster(int size);

    /** How long a message may take to arrive; default 30 seconds (generous, for loaded machines). */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(30);
    }

    @BeforeEach
    void startCluster() {
        transports.putAll(createCluster(3));
        assertEquals(3, transports.size(), "createCluster(3) must return servers 1, 2 and 3");
        for (var e : transports.entrySet()) {
            BlockingQueue<RaftMessage> queue = new LinkedBlockingQueue<>();
            received.put(e.getKey(), queue);
            e.getValue().start(new InboundHandler() {
                @Override
                public void onMessage(RaftMessage message) {
                    queue.add(message);
                }
            });
        }
    }

    @AfterEach
    void closeCluster() {
        transports.values().forEach(Transport::close);
    }

    /** A message envelope from {@code from} to {@code to}, valid for this suite's cluster and group. */
    protected static RaftMessage.Builder envelope(long from, long to) {
        return RaftMessage.newBuilder()
                .setFormatVersion(FormatVersion.FORMAT_VERSION_1_VALUE)
                .setClusterId(CLUSTER)
                .setGroupId(GROUP)
                .setFrom(from)
                .setTo(to)
                .setTerm(1);
    }

    private static RaftMessage heartbeat(long from, long to, long seq) {
        return envelope(from, to)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder().setCommit(seq))
                .build();
    }

    private RaftMessage poll(long at) throws InterruptedException {
        return received.get(at).poll(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends until the first message over the link arrives (a transport may drop while connecting). */
    private RaftMessage connect(long from, long to, RaftMessage message) throws InterruptedException {
        long deadline = System.nanoTime() + deliveryTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            transports.get(from).send(message);
            RaftMessage m = received.get(to).poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                received.get(to).clear(); // duplicates of the resent message
                return m;
            }
        }
        throw new AssertionError(from + " -> " + to + ": nothing arrived within " + deliveryTimeout());
    }

    @Test
    void deliversMessagesBothWaysUnchanged() throws InterruptedException {
        RaftMessage ping = heartbeat(1, 2, 42);
        assertEquals(ping, connect(1, 2, ping));
        RaftMessage pong = envelope(2, 1)
                .setHeartbeatResponse(HeartbeatResponse.newBuilder())
                .build();
        assertEquals(pong, connect(2, 1, pong));
    }

    @Test
    void deliversEveryMessageOfABurstOnAHealthyLinkOnce() throws InterruptedException {
        connect(1, 3, heartbeat(1, 3, 0));
        int count = 100;
        for (int i = 1; i <= count; i++) {
            transports.get(1L).send(heartbeat(1, 3, i));
        }
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RaftMessage m = poll(3);
            assertNotNull(m, "only " + seen.size() + " of " + count + " messages arrived");
            seen.add(m.getHeartbeatRequest().getCommit());
        }
        assertEquals(count, seen.stream().distinct().count(), "duplicates: " + seen);
    }

    @Test
    void carriesLargeEntriesIntact() throws InterruptedException {
        connect(2, 3, heartbeat(2, 3, 0));
        byte[] data = new byte[512 * 1024];
        new SplittableRandom(7).nextBytes(data);
        AppendEntriesRequest.Builder append =
                AppendEntriesRequest.newBuilder().setPrevLogIndex(0).setPrevLogTerm(0);
        for (int i = 1; i <= 2; i++) {
            append.addEntries(Entry.newBuilder()
                    .setIndex(i)
                    .setTerm(1)
                    .setType(EntryType.ENTRY_TYPE_NORMAL)
                    .setData(ByteString.copyFrom(data)));
        }
        RaftMessage big = envelope(2, 3).setAppendRequest(append).build();
        transports.get(2L).send(big);
        assertEquals(big, poll(3));
    }

    @Test
    void aDownPeerNeitherThrowsNorBlocksTheOthers() throws InterruptedException {
        transports.get(3L).close();
        for (int i = 0; i < 10; i++) {
            long seq = i;
            assertDoesNotThrow(() -> transports.get(1L).send(heartbeat(1, 3, seq)));
        }
        RaftMessage ping = heartbeat(1, 2, 5);
        assertEquals(ping, connect(1, 2, ping));
    }

    @Test
    void closeIsIdempotentAndSendAfterCloseDoesNotThrow() {
        Transport t = transports.get(2L);
        t.close();
        assertDoesNotThrow(t::close);
        assertDoesNotThrow(() -> t.send(heartbeat(2, 1, 1)));
    }
}
