package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.raftmanager.proto.RaftMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A peer that accepts the TCP connection but never reads: its queue stays bounded, drops are counted and
 * reported, memory stays bounded, and another peer gets every message meanwhile.
 */
class BackpressureTest {
    private static final int MAX_FRAME = 64 << 10;
    private static final long QUEUE = 256 << 10;

    @Test
    void aPeerThatNeverReadsCostsBoundedMemoryAndDoesNotHoldUpOthers() throws Exception {
        try (Nodes nodes = new Nodes();
                StallingPeer stalled = new StallingPeer(false)) {
            RecordingHandler h3 = new RecordingHandler();
            NettyTransport t3 =
                    nodes.start(Nodes.config(3, Map.of(1L, Nodes.ANY_LOCAL)).build(), h3);
            RecordingHandler h1 = new RecordingHandler();
            NettyTransport t1 = nodes.start(
                    Nodes.config(1, Map.of(2L, stalled.address(), 3L, t3.boundAddress()))
                            .maxFrameBytes(MAX_FRAME)
                            .peerQueueBytes(QUEUE)
                            .snapshotQueueBytes(QUEUE)
                            .build(),
                    h1);
            // Open the live peer's connection first: while connecting, its messages queue against its own
            // bound too, and this test is about the stalled peer's bound.
            t1.send(Msgs.heartbeat(1, 3, -1));
            assertEquals(-1, h3.next(30).getHeartbeatRequest().getCommit());
            long usedBefore = usedDirectMemory();
            RaftMessage big = Msgs.append(1, 2, 8, 128); // about 1.1 KiB
            int rounds = 40_000; // about 45 MiB offered to the stalled peer
            long maxQueued = 0;
            for (int i = 0; i < rounds; i++) {
                t1.send(big);
                if (i % 10 == 0) {
                    t1.send(Msgs.heartbeat(1, 3, i / 10));
                }
                if (i % 1000 == 0) {
                    maxQueued = Math.max(maxQueued, t1.stats().queuedBytes());
                }
            }
            for (int i = 0; i < rounds / 10; i++) {
                RaftMessage m = h3.messages.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(
                        (long) i,
                        m == null ? null : m.getHeartbeatRequest().getCommit(),
                        "heartbeat " + i + " " + t1.stats());
            }
            Await.until(
                    "onUnreachable for the stalled peer",
                    Duration.ofSeconds(20),
                    () -> h1.unreachable.contains(new RecordingHandler.Unreachable(Msgs.GROUP, 2)));
            NettyTransport.Stats s = t1.stats();
            assertTrue(s.droppedBackpressure() > rounds / 2, s.toString());
            assertTrue(maxQueued <= 2 * QUEUE, "queued " + maxQueued); // two lanes at most; only one used here
            assertTrue(s.queuedBytes() <= QUEUE, s.toString());
            // The peer has not read a byte, so what was accepted sits in our queue, Netty's outbound buffer
            // (bounded by the water mark) and the kernel's socket buffers.
            long grown = usedDirectMemory() - usedBefore;
            assertTrue(grown < 24L << 20, "direct memory grew by " + grown + " bytes");
            assertTrue(h1.unreachable.stream().noneMatch(u -> u.peer() == 3), h1.unreachable.toString());
            assertEquals(0, h3.unreachable.size());
        }
    }

    private static long usedDirectMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory()
                : 0;
    }
}
