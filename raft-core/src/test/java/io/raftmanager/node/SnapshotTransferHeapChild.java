package io.raftmanager.node;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

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
            double seconds = SnapshotBenchmarkHarness.transferOnce(mib << 20);
            if (!Double.isNaN(seconds)) {
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
