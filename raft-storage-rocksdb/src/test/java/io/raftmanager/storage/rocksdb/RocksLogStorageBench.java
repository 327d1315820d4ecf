package io.raftmanager.storage.rocksdb;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Synced write throughput of {@link RocksLogStorage} next to the raw ceiling: a plain RocksDB {@code
 * WriteBatch} written with {@code sync=true} holding the same bytes (16-byte keys, values the size of the
 * encoded entries) from the same number of threads. Entries carry 100 bytes of data; batches of 1, 16 and
 * 256 entries; 1 and 8 writer threads, each writing its own group (with 8 threads the storage relies on
 * its group committer, the raw ceiling on RocksDB's own write-thread group commit). The floor to meet is
 * 0.8 of the raw ceiling at every point.
 *
 * <p>Not a test: run it with {@code raft-storage-rocksdb/bench.sh [seconds-per-round] [rounds]}. Raw and
 * storage alternate within each point and the median round is reported, so drifting machine load hits
 * both alike. The data lives under {@code raft-storage-rocksdb/target/bench-data} (a real disk: the point
 * is the fsync).
 */
public final class RocksLogStorageBench {
    private static final int DATA_BYTES = 100;

    private RocksLogStorageBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Path.of(args.length > 2 ? args[2] : "raft-storage-rocksdb/target/bench-data");
        RocksDB.loadLibrary();
        System.out.printf(
                Locale.ROOT,
                "synced writes, %d-byte entries, %.1f s x %d rounds per side, median%n",
                DATA_BYTES,
                seconds,
                rounds);
        System.out.printf(
                Locale.ROOT,
                "%7s %7s %14s %14s %7s %12s%n",
                "threads",
                "batch",
                "raw entries/s",
                "storage e/s",
                "ratio",
                "syncs/write");
        boolean allMet = true;
        for (int threads : new int[] {1, 8}) {
            for (int batch : new int[] {1, 16, 256}) {
                double[] raw = new double[rounds];
                double[] ours = new double[rounds];
                double syncRatio;
                delete(root);
                Files.createDirectories(root);
                try (Options options = rawOptions();
                        WriteOptions sync = new WriteOptions().setSync(true);
                        RocksDB db = RocksDB.open(options, root.resolve("raw").toString());
                        RocksLogEngine engine =
                                RocksLogEngine.open(RocksLogEngineConfig.builder(root.resolve("storage"), "bench", 1)
                                        .build())) {
                    List<RocksLogStorage> groups = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        groups.add(engine.group(
                                t + 1, Membership.newBuilder().addVoters(1).build()));
                    }
                    runRaw(db, sync, threads, batch, Math.min(1, seconds)); // warm-up
                    runStorage(groups, batch, Math.min(1, seconds));
                    long syncs0 = engine.committer().syncCount();
                    long plans0 = engine.committer().planCount();
                    for (int r = 0; r < rounds; r++) {
                        raw[r] = runRaw(db, sync, threads, batch, seconds);
                        ours[r] = runStorage(groups, batch, seconds);
                    }
                    syncRatio = (double) (engine.committer().syncCount() - syncs0)
                            / (engine.committer().planCount() - plans0);
                }
                double rawMedian = median(raw);
                double oursMedian = median(ours);
                double ratio = oursMedian / rawMedian;
                allMet &= ratio >= 0.8;
                System.out.printf(
                        Locale.ROOT,
                        "%7d %7d %14.0f %14.0f %7.2f %12.2f%s%n",
                        threads,
                        batch,
                        rawMedian,
                        oursMedian,
                        ratio,
                        syncRatio,
                        ratio >= 0.8 ? "" : "  < 0.8");
            }
        }
        delete(root);
        System.out.println(allMet ? "floor 0.8x met at every point" : "floor 0.8x NOT met at some point");
    }

    /** The raw ceiling's options: RocksDB defaults plus what the storage also uses for its log. */
    private static Options rawOptions() {
        return new Options().setCreateIfMissing(true).setCompressionType(CompressionType.NO_COMPRESSION);
    }

    private static double runRaw(RocksDB db, WriteOptions sync, int threads, int batch, double seconds)
            throws Exception {
        int valueBytes = RecordCodec.HEADER
                + entry(1, 1, ByteString.copyFrom(new byte[DATA_BYTES])).getSerializedSize();
        return run(threads, seconds, t -> {
            long[] index = {1_000_000_000L * t};
            byte[] value = new byte[valueBytes];
            Arrays.fill(value, (byte) t);
            return () -> {
                try (WriteBatch wb = new WriteBatch()) {
                    for (int i = 0; i < batch; i++) {
                        wb.put(Keys.entry(t, index[0]++), value);
                    }
                    db.write(sync, wb);
                }
                return batch;
            };
        });
    }

    private static double runStorage(List<RocksLogStorage> groups, int batch, double seconds) throws Exception {
        ByteString data = ByteString.copyFrom(new byte[DATA_BYTES]);
        return run(groups.size(), seconds, t -> {
            RocksLogStorage s = groups.get(t);
            return () -> {
                long next = s.lastIndex() + 1;
                List<Entry> es = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    es.add(entry(1, next + i, data));
                }
                s.write(new LogBatch(null, es, true));
                return batch;
            };
        });
    }

    private static Entry entry(long term, long index, ByteString data) {
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(data)
                .build();
    }

    interface Op {
        int call() throws Exception;
    }

    interface OpFactory {
        Op create(int thread);
    }

    /** Runs one op per thread in a loop for {@code seconds}; returns entries per second. */
    private static double run(int threads, double seconds, OpFactory factory) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            Op op = factory.create(t);
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    while (!stop.get()) {
                        done.add(op.call());
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            w.start();
            workers.add(w);
        }
        start.await();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (failure[0] != null) {
            throw failure[0];
        }
        return done.sum() * 1e9 / elapsed;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
