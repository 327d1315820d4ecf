package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.VOTERS;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.config;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.entries;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.spi.LogBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: concurrent writers share syncs, and each returns only after the sync covering it. */
class GroupCommitTest {
    private static final int WRITERS = 8;
    private static final int WRITES_PER_WRITER = 40;

    @TempDir
    Path dir;

    /**
     * The LogStorage durability rule (a synced write makes every earlier write durable) as RocksDB meets
     * it: every write, synced or not, and every compaction goes through the one WAL in numbered rounds, and
     * a synced write returns only after a SyncWAL that covers its round and so every round before it.
     * (SIGKILL keeps the page cache, so CrashSafetyTest cannot show the unsynced half; this checks the
     * mechanism instead.)
     */
    @Test
    void aSyncedWriteIsCoveredByASyncOfEveryEarlierRound() {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage a = engine.group(1, VOTERS);
            RocksLogStorage b = engine.group(2, VOTERS);
            a.write(new LogBatch(hardState(1, 1, 0), entries(1, 1, 1, 4, 100), false));
            long unsyncedEntries = a.lastRound;
            b.write(new LogBatch(hardState(1, 1, 2), List.of(), false));
            long unsyncedCommit = b.lastRound;
            a.compact(2);
            long compaction = a.lastRound;
            assertTrue(engine.committer().syncedRound() < compaction, "precondition: nothing synced them yet");
            b.write(new LogBatch(null, entries(2, 1, 1, 1, 100), true));
            long synced = engine.committer().syncedRound();
            assertTrue(
                    synced >= Math.max(unsyncedEntries, Math.max(unsyncedCommit, compaction)) && synced >= b.lastRound,
                    "synced round " + synced + " must cover rounds " + unsyncedEntries + ", " + unsyncedCommit + ", "
                            + compaction + " and " + b.lastRound);
        }
    }

    @Test
    void concurrentWritersShareSyncsAndReturnOnlyAfterTheirSync() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            List<RocksLogStorage> groups = new ArrayList<>();
            for (int g = 0; g < WRITERS; g++) {
                groups.add(engine.group(g, VOTERS));
            }
            long syncsBefore = engine.committer().syncCount();
            long plansBefore = engine.committer().planCount();
            CyclicBarrier start = new CyclicBarrier(WRITERS);
            List<Future<?>> done = new ArrayList<>();
            for (int g = 0; g < WRITERS; g++) {
                RocksLogStorage s = groups.get(g);
                long group = g;
                done.add(pool.submit(() -> {
                    start.await();
                    for (long i = 1; i <= WRITES_PER_WRITER; i++) {
                        s.write(new LogBatch(hardState(1, 1, i - 1), entries(group, 1, i, i, 100), true));
                        // The promise under test: the round holding this write was synced before return.
                        long round = s.lastRound;
                        long synced = engine.committer().syncedRound();
                        assertTrue(round <= synced, "write returned in round " + round + ", synced " + synced);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            long writes = engine.committer().planCount() - plansBefore;
            long syncs = engine.committer().syncCount() - syncsBefore;
            assertEquals((long) WRITERS * WRITES_PER_WRITER, writes);
            assertTrue(syncs < writes, "syncs " + syncs + " for " + writes + " writes: no group commit");
            for (int g = 0; g < WRITERS; g++) {
                assertEquals(WRITES_PER_WRITER, groups.get(g).lastIndex());
                assertEquals(
                        entries(g, 1, 1, WRITES_PER_WRITER, 100),
                        groups.get(g).entries(1, WRITES_PER_WRITER + 1, Long.MAX_VALUE));
            }
        } finally {
            pool.shutdownNow();
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            for (int g = 0; g < WRITERS; g++) {
                RocksLogStorage s = engine.group(g, VOTERS);
                assertEquals(WRITES_PER_WRITER, s.lastIndex());
                assertEquals(
                        hardState(1, 1, WRITES_PER_WRITER - 1), s.initialState().hardState());
            }
        }
    }

    @Test
    void writesOfOneGroupFromSeveralThreadsStayContiguous() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(1, VOTERS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        synchronized (s) { // choose the next index and write it as one step
                            long next = s.lastIndex() + 1;
                            s.write(new LogBatch(null, entries(1, 1, next, next, 10), i % 2 == 0));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(100, s.lastIndex());
            assertEquals(entries(1, 1, 1, 100, 10), s.entries(1, 101, Long.MAX_VALUE));
        } finally {
            pool.shutdownNow();
        }
    }
}
