package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot benchmarks, run by {@code raft-core/bench.sh --snapshot [transfer|pause] [MiB]} (not a test):
 *
 * <ul>
 *   <li>{@code transfer}: snapshot transfer throughput between two in-process servers: the real {@link
 *       SnapshotTransfer} workers on their own threads over a {@link LocalNetwork}, unthrottled, 1 MiB
 *       chunks, a window of 8; the source generates its bytes and the target checksums them (no disk).
 *   <li>{@code pause}: the apply-path pause of snapshotting a 1 GiB state while proposals stream in: the
 *       handle's capture time, and the p99 gap between consecutive applies while the snapshot is written.
 * </ul>
 */
public final class SnapshotBenchmarkHarness {
    private SnapshotBenchmarkHarness() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "transfer";
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        if (mode.equals("pause")) {
            pause(mib);
        } else {
            transfer(mib);
        }
    }

    private static RaftConfig config(long id, SnapshotConfig sc) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId("bench")
                .groupId(1)
                .tickMillis(20)
                .snapshot(sc)
                .build();
    }

    static void transfer(long mib) throws Exception {
        long size = mib << 20;
        for (int round = 0; round < 3; round++) {
            double seconds = transferOnce(size);
            if (Double.isNaN(seconds)) {
                throw new AssertionError("transfer failed");
            }
            System.out.printf(
                    "transfer round %d: %d MiB in %.2f s = %.0f MB/s%n", round, mib, seconds, size / seconds / 1e6);
        }
    }

    /**
     * Sends one generated snapshot of {@code size} bytes from server 1's transfer worker to server 2's
     * (1 MiB chunks, a window of 8, a {@link LocalNetwork}); neither side holds the snapshot. Returns the
     * seconds it took, or NaN if it failed or the target's bytes differ.
     */
    static double transferOnce(long size) throws Exception {
        SnapshotConfig sc =
                SnapshotConfig.builder().chunkBytes(1 << 20).windowChunks(8).build();
        LocalNetwork net = new LocalNetwork();
        SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(10, 1, size);
        SyntheticSnapshotStore target = new SyntheticSnapshotStore();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        EventLoopPort leaderLoop = in -> {
            if (in instanceof Inputs.SnapshotReport r) {
                done.complete(r.succeeded());
            }
        };
        SnapshotTransfer leader = new SnapshotTransfer(
                config(1, sc), source, net.transport(1), leaderLoop, NodeMetrics.NOOP, Scheduler.threads());
        SnapshotTransfer follower = new SnapshotTransfer(
                config(2, sc), target, net.transport(2), in -> {}, NodeMetrics.NOOP, Scheduler.threads());
        WorkerHandle lh = Scheduler.threads().start("leader-transfer", leader);
        leader.bind(lh);
        WorkerHandle fh = Scheduler.threads().start("follower-transfer", follower);
        follower.bind(fh);
        net.transport(1).start(handler(leader));
        net.transport(2).start(handler(follower));
        long start = System.nanoTime();
        leader.submit(new Inputs.SendSnapshot(RaftMessage.newBuilder()
                .setFrom(1)
                .setTo(2)
                .setTerm(1)
                .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                        .setMeta(SnapshotMeta.newBuilder().setIndex(1)))
                .build()));
        boolean ok = done.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        lh.stop();
        fh.stop();
        return ok && source.latest().equals(target.latest()) ? seconds : Double.NaN;
    }

    private static InboundHandler handler(SnapshotTransfer t) {
        return new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                t.submit(message);
            }
        };
    }

    static void pause(long mib) throws Exception {
        long pad = mib << 20;
        LocalNetwork net = new LocalNetwork();
        long[] gaps = new long[2_000_000];
        int[] gapCount = {0};
        long[] lastApply = {0};
        boolean[] measuring = {false};
        java.util.List<Long> captures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        long[] writeNanos = {0};
        DigestStateMachine inner = new DigestStateMachine(pad);
        io.raftmanager.StateMachine sm = new io.raftmanager.StateMachine() {
            @Override
            public ByteString apply(long index, ByteString command) {
                long now = System.nanoTime();
                if (measuring[0] && lastApply[0] != 0 && gapCount[0] < gaps.length) {
                    gaps[gapCount[0]++] = now - lastApply[0];
                }
                lastApply[0] = now;
                return inner.apply(index, command);
            }

            @Override
            public ByteString query(ByteString q) {
                return inner.query(q);
            }

            @Override
            public io.raftmanager.StateSnapshot snapshot(long appliedIndex) {
                return inner.snapshot(appliedIndex);
            }
        };
        RaftNode node = RaftNode.builder()
                .config(config(
                        1,
                        SnapshotConfig.builder().everyEntries(0).everyBytes(0).build()))
                .storage(MemoryLogStorage.withVoters(1))
                .snapshotStore(new SyntheticSinkStore())
                .transport(net.transport(1))
                .stateMachine(sm)
                .random(new SplittableRandom(1))
                .metrics(new NodeMetrics() {
                    @Override
                    public void recordSnapshotTaken(long bytes, long capture, long write) {
                        captures.add(capture);
                        writeNanos[0] = write;
                    }
                })
                .build();
        node.start();
        while (node.status().join().role() != Role.LEADER) {
            Thread.sleep(10);
        }
        Semaphore window = new Semaphore(64);
        Thread load = new Thread(() -> {
            ByteString cmd = ByteString.copyFrom(new byte[100]);
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    window.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                node.propose(cmd).whenComplete((r, e) -> window.release());
            }
        });
        load.start();
        Thread.sleep(3_000); // warm up
        node.snapshotNow().get(10, TimeUnit.MINUTES); // warm-up snapshot, not measured
        captures.clear();
        measuring[0] = true;
        io.raftmanager.SnapshotInfo meta = null;
        for (int i = 0; i < 5; i++) {
            meta = node.snapshotNow().get(10, TimeUnit.MINUTES);
        }
        measuring[0] = false;
        load.interrupt();
        load.join();
        node.close();
        long[] g = Arrays.copyOf(gaps, gapCount[0]);
        Arrays.sort(g);
        System.out.printf(
                "pause: 5 snapshots of %d MiB: capture (apply path blocked) %s ms, last written in %.1f s; during the"
                        + " writes %d applies, gap between applies p50 %.3f ms p99 %.3f ms p99.9 %.3f ms max %.3f ms%n",
                meta.sizeBytes() >> 20,
                captures.stream().map(c -> String.format("%.3f", c / 1e6)).toList(),
                writeNanos[0] / 1e9,
                g.length,
                pct(g, 0.50) / 1e6,
                pct(g, 0.99) / 1e6,
                pct(g, 0.999) / 1e6,
                g.length == 0 ? 0 : g[g.length - 1] / 1e6);
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
