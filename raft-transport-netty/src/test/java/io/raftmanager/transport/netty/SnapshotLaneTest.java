package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.proto.RaftMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Snapshot chunks travel on their own lane: heartbeats never wait behind snapshot bytes. */
class SnapshotLaneTest {
    private static final int MAX_FRAME = 1 << 20;
    private static final int CHUNK = 256 << 10;

    @Test
    void heartbeatsArriveWhileASnapshotStreamIsStuck() throws Exception {
        try (Nodes nodes = new Nodes();
                StallingPeer peer = new StallingPeer(true)) {
            NettyTransport t1 = nodes.start(
                    Nodes.config(1, Map.of(2L, peer.address()))
                            .maxFrameBytes(MAX_FRAME)
                            .snapshotQueueBytes(2L * MAX_FRAME)
                            .build(),
                    new RecordingHandler());
            // 32 MiB of chunks: far more than the lane's queue, water mark and the kernel's buffers hold,
            // and the peer stops reading the snapshot connection after its first chunk.
            for (int i = 0; i < 128; i++) {
                t1.send(Msgs.snapshotChunk(1, 2, (long) i * CHUNK, CHUNK));
            }
            assertNotNull(peer.firstSnapshotChunks.poll(30, TimeUnit.SECONDS), "the snapshot lane connected");
            Await.until(
                    "the snapshot lane to fill up",
                    Duration.ofSeconds(30),
                    () -> {
                        t1.send(Msgs.snapshotChunk(1, 2, 0, CHUNK));
                        return t1.stats().droppedBackpressure() > 0;
                    },
                    () -> t1.stats().toString());
            for (int i = 0; i < 100; i++) {
                t1.send(Msgs.heartbeat(1, 2, i));
            }
            for (int i = 0; i < 100; i++) {
                RaftMessage m = peer.regular.poll(20, TimeUnit.SECONDS);
                assertNotNull(m, "heartbeat " + i + " did not arrive while the snapshot lane is stuck");
                assertEquals(i, m.getHeartbeatRequest().getCommit());
            }
            // The snapshot lane is still stuck (its queue can have drained into the kernel's buffers meanwhile,
            // which the peer never empties): more chunks are refused for back-pressure again.
            long dropped = t1.stats().droppedBackpressure();
            Await.until(
                    "the snapshot lane to refuse chunks again",
                    Duration.ofSeconds(30),
                    () -> {
                        t1.send(Msgs.snapshotChunk(1, 2, 0, CHUNK));
                        return t1.stats().droppedBackpressure() > dropped;
                    },
                    () -> t1.stats().toString());
        }
    }

    @Test
    void chunksAndHeartbeatsBothArriveInTheirOwnOrder() throws Exception {
        try (Nodes nodes = new Nodes()) {
            RecordingHandler h2 = new RecordingHandler();
            NettyTransport t2 = nodes.start(
                    Nodes.config(2, Map.of(1L, Nodes.ANY_LOCAL))
                            .maxFrameBytes(MAX_FRAME)
                            .build(),
                    h2);
            NettyTransport t1 = nodes.start(
                    Nodes.config(1, Map.of(2L, t2.boundAddress()))
                            .maxFrameBytes(MAX_FRAME)
                            .snapshotQueueBytes(64L << 20)
                            .build(),
                    new RecordingHandler());
            int chunks = 64; // 16 MiB
            for (int i = 0; i < chunks; i++) {
                t1.send(Msgs.snapshotChunk(1, 2, (long) i * CHUNK, CHUNK));
                t1.send(Msgs.heartbeat(1, 2, i));
            }
            long nextOffset = 0;
            long nextBeat = 0;
            long firstBeatBeforeLastChunk = 0;
            while (nextOffset < (long) chunks * CHUNK || nextBeat < chunks) {
                RaftMessage m = h2.next(30);
                if (m.hasInstallSnapshotRequest()) {
                    assertEquals(nextOffset, m.getInstallSnapshotRequest().getOffset());
                    assertEquals(CHUNK, m.getInstallSnapshotRequest().getData().size());
                    nextOffset += CHUNK;
                } else {
                    assertEquals(nextBeat, m.getHeartbeatRequest().getCommit());
                    nextBeat++;
                    if (nextOffset < (long) chunks * CHUNK) {
                        firstBeatBeforeLastChunk++;
                    }
                }
            }
            assertEquals(0, t1.stats().droppedBackpressure() + t1.stats().droppedUnreachable());
            assertTrue(firstBeatBeforeLastChunk > 0, "no heartbeat overtook the snapshot stream");
        }
    }
}
