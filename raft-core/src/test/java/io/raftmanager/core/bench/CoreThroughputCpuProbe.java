package io.raftmanager.core.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A companion to {@link CoreThroughputBenchmark} for a shared machine: runs the same operations and
 * reports entries per second of this thread's CPU time as well as per second of wall time, so a result
 * can be told apart from CPU starvation by other processes. Not a JMH benchmark; run it with {@code
 * raft-core/bench.sh --cpu [unbatched|batched|pipelined ...]}.
 */
public final class CoreThroughputCpuProbe {
    private static final int ROUNDS = 8;
    private static final long ENTRIES_PER_ROUND = 500_000;

    private CoreThroughputCpuProbe() {}

    public static void main(String[] args) {
        String[] modes = args.length == 0 ? new String[] {"unbatched", "batched", "pipelined"} : args;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (String mode : modes) {
            CoreThroughputBenchmark bench = new CoreThroughputBenchmark();
            bench.setup();
            int perOp = mode.equals("batched") ? CoreThroughputBenchmark.BATCH : 1;
            long ops = ENTRIES_PER_ROUND / perOp;
            for (int round = 1; round <= ROUNDS; round++) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (long i = 0; i < ops; i++) {
                    sink += switch (mode) {
                        case "unbatched" -> bench.unbatched();
                        case "batched" -> bench.batched();
                        case "pipelined" -> bench.pipelined();
                        default -> throw new IllegalArgumentException("unknown mode " + mode);
                    };
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long wall = System.nanoTime() - wall0;
                double entries = (double) ops * perOp;
                System.out.printf(
                        "%-9s %s %d: %,12.0f entries/CPU-s (%,6.0f ns CPU/entry)  %,12.0f entries/wall-s%n",
                        mode,
                        round <= ROUNDS / 2 ? "warmup" : "round ",
                        round,
                        entries / (cpu / 1e9),
                        cpu / entries,
                        entries / (wall / 1e9));
            }
            bench.settleAndCheck();
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
