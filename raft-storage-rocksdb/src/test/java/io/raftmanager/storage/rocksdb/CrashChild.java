package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashSafetyTest}: opens the engine, and for each of two groups, on its own
 * thread, first overwrites the last few entries with a new term (a conflicting suffix) and then appends
 * synced batches forever, printing {@code ACK group from last term commit} after each {@code write}
 * returns. Every hundredth batch also compacts a prefix. It never exits by itself: the parent kills it.
 *
 * <p>Usage: {@code CrashChild <directory> <seed>}.
 */
final class CrashChild {
    static final long[] GROUPS = {1, 2};
    static final int ENTRY_BYTES = 100;

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        RocksLogEngine engine = RocksLogEngine.open(CrashSafetyTest.config(dir));
        List<Thread> threads = new ArrayList<>();
        for (long g : GROUPS) {
            RocksLogStorage s =
                    engine.group(g, Membership.newBuilder().addVoters(1).build());
            SplittableRandom random = new SplittableRandom(seed * 31 + g);
            threads.add(new Thread(() -> appendForever(s, random, out), "writer-" + g));
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void appendForever(RocksLogStorage s, SplittableRandom random, PrintStream out) {
        long g = s.groupId();
        long term = s.initialState().hardState().getTerm() + 1;
        // Overwrite up to 3 entries of the previous incarnation (never before the first index).
        long from = Math.max(s.firstIndex(), s.lastIndex() - random.nextInt(3) + 1);
        for (int batchNo = 0; ; batchNo++) {
            long to = Math.max(from + random.nextInt(16), s.lastIndex());
            List<Entry> es = new ArrayList<>();
            for (long i = from; i <= to; i++) {
                es.add(RocksTestSupport.entry(g, term, i, ENTRY_BYTES));
            }
            HardState hs = RocksTestSupport.hardState(term, 1, to);
            s.write(new LogBatch(hs, es, true));
            synchronized (out) {
                out.println("ACK " + g + " " + from + " " + to + " " + term + " " + to);
                out.flush();
            }
            if (batchNo % 100 == 99 && to - 200 > s.firstIndex()) {
                s.compact(to - 200);
            }
            from = to + 1;
        }
    }
}
