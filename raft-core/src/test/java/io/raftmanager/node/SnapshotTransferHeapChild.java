package io.raftmanager.node;

import io.raftmanager.RaftConfig;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.transport.local.LocalNetwork;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link SnapshotTransferHeapTest}: sends one generated snapshot of the given size
 * between two in-process servers' real {@link SnapshotTransfer} workers (the source generates its bytes,
 * the target only checksums them, so neither side holds the snapshot). Prints {@code TRANSFERRED <MiB>
 * <seconds> <peak heap MiB>}, {@code FAILED}, or {@code OOM}.
 *
 * <p>Usage: {@code SnapshotTransferHeapChild <MiB>}.
 */
final class SnapshotTransferHeapChild {
    private SnapshotTransferHeapChild() {}

    public static void main(String[] args) throws Exception {
        long mib = Long.parseLong(args[0]);
        try {
            SnapshotConfig sc =
                    SnapshotConfig.builder().chunkBytes(1 << 20).windowChunks(8).build();
            LocalNetwork net = new LocalNetwork();
            SyntheticSnapshotStore source = SyntheticSnapshotStore.serving(10, 1, mib << 20);
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
            boolean ok = done.get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            lh.stop();
            fh.stop();
            if (ok && source.latest().equals(target.latest())) {
                System.out.printf("TRANSFERRED %d %.1f %d%n", mib, seconds, peakHeapMiB());
            } else {
                System.out.println("FAILED");
            }
        } catch (OutOfMemoryError e) {
            System.out.println("OOM");
        }
        System.out.flush();
        System.exit(0); // the transports' threads are not daemons
    }

    private static RaftConfig config(long id, SnapshotConfig sc) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId("heap")
                .groupId(1)
                .tickMillis(20)
                .snapshot(sc)
                .build();
    }

    private static InboundHandler handler(SnapshotTransfer t) {
        return new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                t.submit(message);
            }
        };
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
