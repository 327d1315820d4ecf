package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/**
 * Crash safety with real processes: a child JVM ({@link CrashChild}) appends synced batches to two groups
 * and prints each acknowledged range after {@code write} returns; the test SIGKILLs it
 * ({@code destroyForcibly}) at a random moment, sometimes before it has even opened the database, then
 * reopens the directory and checks that every acknowledged index is present and intact (payload derived
 * from group, index and term), the log is contiguous with non-decreasing terms, and the hard state is the
 * last acknowledged one or newer.
 *
 * <p>SIGKILL leaves the page cache intact, so this proves atomicity and the acknowledgement order, not
 * that fsync was called (that needs a simulated disk or power loss). {@code -Draft.rocks.crashCycles=N}
 * runs more cycles (default 50); {@code -Draft.rocks.crashSeed=S} replays a run.
 */
@Tag("integration")
class CrashSafetyTest {
    @TempDir
    Path dir;

    static RocksLogEngineConfig config(Path dir) {
        return RocksLogEngineConfig.builder(dir, "crash-test", 1)
                .blockCacheBytes(8 << 20)
                .writeBufferBytes(4 << 20)
                .build();
    }

    /** What the child acknowledged for one group: index -> term, and the last hard state. */
    private static final class Acked {
        final TreeMap<Long, Long> terms = new TreeMap<>();
        long hsTerm;
        long hsCommit;
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        int cycles = Integer.getInteger("raft.rocks.crashCycles", 50);
        long seed = Long.getLong("raft.rocks.crashSeed", System.nanoTime());
        Path nativeDir = extractNativeLibrary();
        // Two independent lanes (own directory, own child) run side by side to halve the wall time;
        // together they make `cycles` kills.
        SplittableRandom random = new SplittableRandom(seed);
        ExecutorService lanes = Executors.newFixedThreadPool(2);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int lane = 0; lane < 2; lane++) {
                Path laneDir = dir.resolve("lane" + lane);
                SplittableRandom laneRandom = random.split();
                int laneCycles = cycles / 2 + (lane == 0 ? cycles % 2 : 0);
                String where = "seed=" + seed + " lane " + lane;
                results.add(lanes.submit(() -> runLane(laneDir, nativeDir, laneRandom, laneCycles, where)));
            }
            long acks = 0;
            long early = 0;
            for (Future<long[]> f : results) {
                long[] r = f.get();
                acks += r[0];
                early += r[1];
            }
            System.out.println("CrashSafetyTest: seed=" + seed + " cycles=" + cycles + " acknowledged batches=" + acks
                    + " kills before READY=" + early);
            assertTrue(acks > cycles, "the child acknowledged too little to test anything: " + acks);
        } finally {
            lanes.shutdownNow();
        }
    }

    /**
     * Copies RocksDB's JNI library out of its jar once, so that children load it from {@code
     * java.library.path} instead of each extracting 15 MB into the temporary directory (which a killed
     * child would never delete).
     */
    private Path extractNativeLibrary() throws IOException {
        Path nativeDir = Files.createDirectories(dir.resolve("native"));
        String name = "librocksdbjni-linux64.so";
        try (InputStream in = RocksDB.class.getResourceAsStream("/" + name)) {
            assertTrue(in != null, name + " not found on the class path");
            Files.copy(in, nativeDir.resolve(name));
        }
        return nativeDir;
    }

    /** Runs {@code cycles} kill/reopen cycles in {@code laneDir}; returns {acknowledged batches, early kills}. */
    private long[] runLane(Path laneDir, Path nativeDir, SplittableRandom random, int cycles, String lane)
            throws Exception {
        Map<Long, Acked> acked = new HashMap<>();
        for (long g : CrashChild.GROUPS) {
            acked.put(g, new Acked());
        }
        long killedBeforeReady = 0;
        long totalAcks = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            String where = lane + " cycle " + cycle;
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-XX:TieredStopAtLevel=1",
                            "-XX:+UseSerialGC",
                            "-Xmx96m",
                            "-XX:-UsePerfData",
                            "-Djava.library.path=" + nativeDir,
                            "-cp",
                            System.getProperty("java.class.path"),
                            CrashChild.class.getName(),
                            laneDir.toString(),
                            Long.toString(random.nextLong()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            List<String> lines = new ArrayList<>();
            Object ready = new Object();
            boolean[] isReady = {false};
            Thread reader = new Thread(() -> read(child, lines, ready, isReady), "crash-child-reader");
            reader.start();
            if (random.nextInt(8) == 0) {
                Thread.sleep(random.nextInt(300)); // may hit JVM start-up, RocksDB open or recovery
            } else {
                synchronized (ready) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!isReady[0] && child.isAlive() && System.nanoTime() < deadline) {
                        ready.wait(100);
                    }
                }
                Thread.sleep(random.nextInt(150));
            }
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": child did not die");
            reader.join();
            synchronized (ready) {
                if (!isReady[0]) {
                    killedBeforeReady++;
                }
            }
            synchronized (lines) {
                for (String line : lines) {
                    String[] f = line.split(" ");
                    Acked a = acked.get(Long.parseLong(f[1]));
                    long from = Long.parseLong(f[2]);
                    long to = Long.parseLong(f[3]);
                    long term = Long.parseLong(f[4]);
                    a.terms.tailMap(from, true).clear();
                    for (long i = from; i <= to; i++) {
                        a.terms.put(i, term);
                    }
                    a.hsTerm = term;
                    a.hsCommit = Long.parseLong(f[5]);
                    totalAcks++;
                }
            }
            verify(laneDir, acked, where);
        }
        return new long[] {totalAcks, killedBeforeReady};
    }

    private static void read(Process child, List<String> lines, Object ready, boolean[] isReady) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("READY")) {
                    synchronized (ready) {
                        isReady[0] = true;
                        ready.notifyAll();
                    }
                } else if (line.startsWith("ACK ") && line.split(" ").length == 6) {
                    // A line cut by the kill is incomplete and was never acknowledged in full: skip it.
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe breaks when the child dies
        }
    }

    private static void verify(Path laneDir, Map<Long, Acked> acked, String where) {
        try (RocksLogEngine engine = RocksLogEngine.open(config(laneDir))) {
            for (long g : CrashChild.GROUPS) {
                Acked a = acked.get(g);
                RocksLogStorage s =
                        engine.group(g, Membership.newBuilder().addVoters(1).build());
                String at = where + " group " + g;
                long first = s.firstIndex();
                long last = s.lastIndex();
                if (!a.terms.isEmpty()) {
                    assertTrue(
                            last >= a.terms.lastKey(),
                            at + ": last index " + last + " < acknowledged " + a.terms.lastKey());
                }
                HardState hs = s.initialState().hardState();
                assertTrue(
                        hs.getTerm() > a.hsTerm || (hs.getTerm() == a.hsTerm && hs.getCommit() >= a.hsCommit),
                        at + ": hard state " + hs + " older than acknowledged term " + a.hsTerm + " commit "
                                + a.hsCommit);
                List<Entry> all = new ArrayList<>();
                for (long i = first; i <= last; ) {
                    List<Entry> chunk = s.entries(i, last + 1, 1 << 20);
                    all.addAll(chunk);
                    i += chunk.size();
                }
                long prevTerm = s.term(first - 1);
                for (int k = 0; k < all.size(); k++) {
                    Entry e = all.get(k);
                    assertEquals(first + k, e.getIndex(), at + ": log not contiguous");
                    assertEquals(
                            RocksTestSupport.entry(g, e.getTerm(), e.getIndex(), CrashChild.ENTRY_BYTES),
                            e,
                            at + ": entry " + e.getIndex() + " not intact");
                    assertTrue(e.getTerm() >= prevTerm, at + ": term goes down at " + e.getIndex());
                    assertTrue(
                            e.getTerm() <= hs.getTerm(), at + ": entry " + e.getIndex() + " newer than the hard state");
                    prevTerm = e.getTerm();
                    Long ackedTerm = a.terms.get(e.getIndex());
                    assertTrue(
                            ackedTerm == null || e.getTerm() >= ackedTerm,
                            at + ": entry " + e.getIndex() + " older than acknowledged");
                }
                a.terms.headMap(first, false).clear(); // compacted: no longer checkable
                s.close();
            }
        }
    }
}
