package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The chunk protocol of {@link SnapshotTransfer}, driven deterministically: two workers (leader 1,
 * follower 2) whose messages go through a queue this test delivers (and may drop, corrupt or hold), with
 * virtual time. Covers a transfer end to end with a bounded window, a corrupted chunk, interruption and
 * resumption across restarts of either side, a leader change mid-transfer, a newer snapshot superseding an
 * older one in flight, and a transfer much larger than the buffers it may use.
 */
class SnapshotTransferTest {
    private static final int CHUNK = 4 << 10;
    private static final int WINDOW = 4;

    /** Virtual time and captured effects of one worker. */
    private static final class Side implements Transport, Scheduler, EventLoopPort {
        final List<RaftMessage> sent = new ArrayList<>();
        final List<Object> posted = new ArrayList<>();
        long now;

        @Override
        public void start(InboundHandler handler) {}

        @Override
        public void send(RaftMessage message) {
            sent.add(message);
        }

        @Override
        public void close() {}

        @Override
        public WorkerHandle start(String name, Worker worker) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void post(Object input) {
            posted.add(input);
        }
    }

    private static RaftConfig config(long id, long bytesPerSecond) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId("t")
                .groupId(1)
                .snapshot(SnapshotConfig.builder()
                        .chunkBytes(CHUNK)
                        .windowChunks(WINDOW)
                        .maxBytesPerSecond(bytesPerSecond)
                        .chunkTimeoutMillis(100)
                        .build())
                .build();
    }

    private static SnapshotTransfer worker(long id, io.raftmanager.spi.SnapshotStore store, Side side) {
        return new SnapshotTransfer(config(id, 0), store, side, side, NodeMetrics.NOOP, side);
    }

    /** Leader 1 asked (by its core) to stream to follower 2. */
    private static RaftMessage request(long term, long atLeast) {
        return RaftMessage.newBuilder()
                .setFormatVersion(1)
                .setClusterId("t")
                .setGroupId(1)
                .setFrom(1)
                .setTo(2)
                .setTerm(term)
                .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                        .setMeta(SnapshotMeta.newBuilder().setIndex(atLeast)))
                .build();
    }

    /** Moves every message each side sent to the other, dropping or rewriting those the filter picks. */
    private static final class Wire {
        final Side a;
        final Side b;
        final SnapshotTransfer[] workers;
        long maxUnackedBytes;
        long chunksSent;

        Wire(Side a, Side b, SnapshotTransfer wa, SnapshotTransfer wb) {
            this.a = a;
            this.b = b;
            this.workers = new SnapshotTransfer[] {wa, wb};
        }

        /** Runs both workers and delivers until quiet or {@code rounds} pass; returns true if quiet. */
        boolean run(int rounds, Predicate<RaftMessage> drop) {
            for (int i = 0; i < rounds; i++) {
                int work = workers[0].doWork() + workers[1].doWork();
                ArrayDeque<RaftMessage> toB = new ArrayDeque<>(a.sent);
                ArrayDeque<RaftMessage> toA = new ArrayDeque<>(b.sent);
                a.sent.clear();
                b.sent.clear();
                long unacked = 0;
                for (RaftMessage m : toB) {
                    chunksSent++;
                    unacked += m.getInstallSnapshotRequest().getData().size();
                }
                maxUnackedBytes = Math.max(maxUnackedBytes, unacked);
                toB.stream().filter(drop.negate()).forEach(workers[1]::submit);
                toA.stream().filter(drop.negate()).forEach(workers[0]::submit);
                if (work == 0 && toA.isEmpty() && toB.isEmpty()) {
                    return true;
                }
            }
            return false;
        }
    }

    private static Inputs.SnapshotReport report(Side leader) {
        for (Object o : leader.posted) {
            if (o instanceof Inputs.SnapshotReport r) {
                return r;
            }
        }
        return null;
    }

    private static Inputs.SnapshotReceived received(Side follower) {
        for (Object o : follower.posted) {
            if (o instanceof Inputs.SnapshotReceived r) {
                return r;
            }
        }
        return null;
    }

    @Test
    void streamsASnapshotInChunksWithinTheWindowAndTellsBothCores() {
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(50, 3, 100_000);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        assertTrue(wire.run(1000, m -> false));
        assertEquals(source.latest(), target.latest());
        assertEquals(new Inputs.SnapshotReport(2, true), report(l));
        Inputs.SnapshotReceived got = received(f);
        assertNotNull(got);
        assertTrue(got.message().getInstallSnapshotRequest().getDone());
        assertEquals(3, got.message().getTerm());
        assertEquals(source.latest(), got.message().getInstallSnapshotRequest().getMeta());
        assertTrue(wire.maxUnackedBytes <= (long) CHUNK * WINDOW, "unacked " + wire.maxUnackedBytes);
        assertEquals((100_000 + CHUNK - 1) / CHUNK, wire.chunksSent);
    }

    @Test
    void corruptedChunkIsRefusedAndSentAgain() {
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(50, 3, 40_000);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        boolean[] corrupted = {false};
        // Flip one byte of the chunk at offset 2 * CHUNK, once, as a faulty network would.
        Predicate<RaftMessage> none = m -> false;
        wire.workers[0].doWork();
        List<RaftMessage> first = new ArrayList<>(l.sent);
        l.sent.clear();
        for (RaftMessage m : first) {
            RaftMessage out = m;
            if (m.getInstallSnapshotRequest().getOffset() == 2L * CHUNK && !corrupted[0]) {
                byte[] data = m.getInstallSnapshotRequest().getData().toByteArray();
                data[7] ^= 0x40;
                out = m.toBuilder()
                        .setInstallSnapshotRequest(
                                m.getInstallSnapshotRequest().toBuilder().setData(ByteString.copyFrom(data)))
                        .build();
                corrupted[0] = true;
            }
            wire.workers[1].submit(out);
        }
        assertTrue(corrupted[0]);
        assertTrue(wire.run(1000, none));
        assertEquals(source.latest(), target.latest());
        assertEquals(new Inputs.SnapshotReport(2, true), report(l));
        // The bad chunk and the one after it (refused: wrong offset) went twice.
        assertTrue(wire.chunksSent >= 2, "chunks " + wire.chunksSent);
    }

    @Test
    void interruptedTransferResumesFromTheFollowersOffsetAfterBothSidesRestart() {
        long size = 200_000;
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(50, 3, size);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        wire.run(10, m -> false);
        long kept = target.partialSize();
        assertTrue(kept > 0 && kept < size, "partial " + kept);
        // Both restart: the workers are gone (the follower's close keeps its partial snapshot).
        wire.workers[1].onClose();
        Side l2 = new Side();
        Side f2 = new Side();
        Wire again = new Wire(l2, f2, worker(1, source, l2), worker(2, target, f2));
        again.workers[0].submit(new Inputs.SendSnapshot(request(4, 40)));
        assertTrue(again.run(1000, m -> false));
        assertEquals(source.latest(), target.latest());
        assertEquals(new Inputs.SnapshotReport(2, true), report(l2));
        // The new leader sent its first window from 0, then resumed at the follower's offset.
        long resent = again.chunksSent * CHUNK;
        assertTrue(resent < size - kept + 2L * CHUNK * WINDOW, "resent " + resent + " of " + size + ", kept " + kept);
    }

    @Test
    void lostChunksAreResentAfterTheTimeoutAndAStalledTransferIsAbandoned() {
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(50, 3, 30_000);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        wire.run(3, m -> true); // the network eats everything
        assertNull(target.latest());
        l.now += 150_000_000L; // past the chunk timeout: resend from the last acknowledged offset
        assertTrue(wire.run(1000, m -> false));
        assertEquals(source.latest(), target.latest());
        // A follower that never answers: abandoned after ten timeouts, reported as failed.
        SyntheticSnapshotStore other = new SyntheticSnapshotStore();
        Side l2 = new Side();
        Side f2 = new Side();
        Wire dead = new Wire(l2, f2, worker(1, source, l2), worker(2, other, f2));
        dead.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        for (int i = 0; i < 12 && report(l2) == null; i++) {
            l2.now += 150_000_000L;
            dead.run(2, m -> true);
        }
        assertEquals(new Inputs.SnapshotReport(2, false), report(l2));
    }

    /** A follower's snapshot store whose disk fills up on demand: writes are refused while {@code full}. */
    private static final class FillingStore implements io.raftmanager.spi.SnapshotStore {
        final SyntheticSnapshotStore inner = new SyntheticSnapshotStore();
        boolean full;
        int refused;

        @Override
        public SnapshotMeta latest() {
            return inner.latest();
        }

        @Override
        public io.raftmanager.spi.SnapshotWriter create(SnapshotMeta meta) {
            return inner.create(meta);
        }

        @Override
        public io.raftmanager.spi.SnapshotWriter receive(SnapshotMeta meta) {
            io.raftmanager.spi.SnapshotWriter w = inner.receive(meta);
            return new io.raftmanager.spi.SnapshotWriter() {
                @Override
                public long position() {
                    return w.position();
                }

                @Override
                public void write(byte[] data, int offset, int length) {
                    if (full) {
                        refused++;
                        throw new io.raftmanager.spi.StorageFullException("no space left (test)");
                    }
                    w.write(data, offset, length);
                }

                @Override
                public SnapshotMeta commit() {
                    return w.commit();
                }

                @Override
                public void close() {
                    w.close();
                }

                @Override
                public void abort() {
                    w.abort();
                }
            };
        }

        @Override
        public java.io.InputStream open(SnapshotMeta meta, long offset) {
            return inner.open(meta, offset);
        }

        @Override
        public void close() {}
    }

    @Test
    void aFollowerWhoseDiskFillsUpAbandonsTheTransferAndResumesItOnceSpaceReturns() {
        long size = 100_000;
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(50, 3, size);
        FillingStore target = new FillingStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        wire.run(3, m -> false);
        long kept = target.inner.partialSize();
        assertTrue(kept > 0 && kept < size, "partial " + kept);
        // The disk fills up: the follower refuses the next chunk without failing its worker, and the
        // leader's core hears that the transfer failed (it tries again later).
        target.full = true;
        assertTrue(wire.run(1000, m -> false));
        assertTrue(target.refused > 0, "a chunk was refused for space");
        assertEquals(new Inputs.SnapshotReport(2, false), report(l));
        assertNull(received(f), "nothing delivered to the follower's core");
        assertNull(target.latest());
        assertEquals(kept, target.inner.partialSize(), "the bytes received so far are kept");
        // Space returns; the leader's core asks again and the transfer resumes and completes.
        target.full = false;
        Side l2 = new Side();
        Wire again = new Wire(l2, f, worker(1, source, l2), wire.workers[1]);
        again.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        assertTrue(again.run(1000, m -> false));
        assertEquals(source.latest(), target.latest());
        assertEquals(new Inputs.SnapshotReport(2, true), report(l2));
        assertNotNull(received(f));
    }

    @Test
    void leaderChangeMidTransferStopsTheOldLeaderAndTheNewOneFinishes() {
        SyntheticSnapshotStore oldLeaderStore = SyntheticSnapshotStore.serving(50, 3, 100_000);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, oldLeaderStore, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 40)));
        wire.run(3, m -> false);
        wire.workers[0].submit(new Inputs.StopSending());
        wire.run(50, m -> false);
        long stoppedAt = wire.chunksSent;
        assertTrue(wire.run(50, m -> false));
        assertEquals(stoppedAt, wire.chunksSent, "the old leader kept sending");
        assertNull(target.latest());
        assertNull(report(l), "a stopped transfer is not reported: that core no longer leads");
        // The new leader has a newer snapshot: the follower abandons the old partial one for it.
        SyntheticSnapshotStore newLeaderStore = SyntheticSnapshotStore.serving(80, 4, 60_000);
        Side l2 = new Side();
        Wire next = new Wire(l2, f, worker(3, newLeaderStore, l2), wire.workers[1]);
        next.workers[0].submit(
                new Inputs.SendSnapshot(request(4, 60).toBuilder().setFrom(3).build()));
        assertTrue(next.run(1000, m -> false));
        assertEquals(newLeaderStore.latest(), target.latest());
    }

    @Test
    void olderSnapshotIsRefusedOnceANewerOneArrived() {
        SyntheticSnapshotStore newer = SyntheticSnapshotStore.serving(80, 4, 20_000);
        SyntheticSnapshotStore older = SyntheticSnapshotStore.serving(50, 3, 20_000);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        SnapshotTransfer follower = worker(2, target, f);
        Wire wire = new Wire(l, f, worker(1, newer, l), follower);
        wire.workers[0].submit(new Inputs.SendSnapshot(request(4, 60)));
        wire.run(2, m -> false); // partly received
        Side stale = new Side();
        Wire old = new Wire(stale, f, worker(3, older, stale), follower);
        old.workers[0].submit(
                new Inputs.SendSnapshot(request(3, 40).toBuilder().setFrom(3).build()));
        assertTrue(old.run(100, m -> false));
        assertEquals(new Inputs.SnapshotReport(2, false), report(stale), "the stale leader must give up");
        assertTrue(wire.run(1000, m -> false));
        assertEquals(newer.latest(), target.latest());
    }

    /**
     * A follower whose own snapshot is newer than the one offered refuses it and also tells its core, which
     * answers the leader with its commit index: a leader whose log starts after its match index for the
     * follower would otherwise offer the same snapshot forever (found by the engine simulation, seed 1071).
     */
    @Test
    void aFollowerHoldingANewerSnapshotRefusesAnOlderOneAndTellsItsCore() {
        SyntheticSnapshotStore older = SyntheticSnapshotStore.serving(50, 3, 20_000);
        SyntheticSnapshotStore target = SyntheticSnapshotStore.serving(80, 4, 100);
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, older, l), worker(2, target, f));
        wire.workers[0].submit(new Inputs.SendSnapshot(request(4, 40)));
        assertTrue(wire.run(100, m -> false));
        assertEquals(new Inputs.SnapshotReport(2, false), report(l), "the leader stops offering it");
        Inputs.SnapshotReceived told = received(f);
        assertNotNull(told, "the follower's core was not told, so it cannot answer with its commit index");
        assertEquals(
                older.latest().getIndex(),
                told.message().getInstallSnapshotRequest().getMeta().getIndex());
        assertTrue(told.message().getInstallSnapshotRequest().getDone());
        assertEquals(80, target.latest().getIndex(), "the follower keeps its newer snapshot");
    }

    @Test
    void snapshotFarLargerThanTheTransferBuffersStreamsThrough() {
        // CI size: 48 MiB through a 16 KiB window (3,000x the cap). -Draft.snapshot.bigMiB=1024 for 1 GiB.
        long size = Long.getLong("raft.snapshot.bigMiB", 48) << 20;
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(7, 1, size);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        Side l = new Side();
        Side f = new Side();
        Wire wire = new Wire(l, f, worker(1, source, l), worker(2, target, f));
        Runtime rt = Runtime.getRuntime();
        wire.workers[0].submit(new Inputs.SendSnapshot(request(3, 1)));
        assertTrue(wire.run(Integer.MAX_VALUE, m -> false));
        assertEquals(source.latest(), target.latest());
        assertTrue(wire.maxUnackedBytes <= (long) CHUNK * WINDOW, "unacked " + wire.maxUnackedBytes);
        assertTrue(size > 1000L * CHUNK * WINDOW);
        assertTrue(rt.totalMemory() - rt.freeMemory() < rt.maxMemory(), "sanity");
    }
}
