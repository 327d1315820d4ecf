package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.VOTERS;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.config;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.entries;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksObject;

/** Engine identity, multi-group isolation, bootstrap, lifecycle and native-handle release. */
class RocksLogEngineTest {
    @TempDir
    Path dir;

    @Test
    void directoryOfAnotherClusterIsRefusedNamingBothClusters() {
        RocksLogEngine.open(config(dir)).close();
        StorageException e = assertThrows(
                StorageException.class,
                () -> RocksLogEngine.open(
                        RocksLogEngineConfig.builder(dir, "other-cluster", 1).build()));
        assertTrue(
                e.getMessage().contains("'test-cluster'") && e.getMessage().contains("'other-cluster'"),
                e.getMessage());
    }

    @Test
    void directoryOfAnotherNodeIsRefusedNamingBothNodes() {
        RocksLogEngine.open(config(dir)).close();
        StorageException e = assertThrows(
                StorageException.class,
                () -> RocksLogEngine.open(
                        RocksLogEngineConfig.builder(dir, "test-cluster", 2).build()));
        assertTrue(e.getMessage().contains("node 1") && e.getMessage().contains("node 2"), e.getMessage());
    }

    @Test
    void directoryOfAFutureFormatVersionIsRefusedNamingBothVersions() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            byte[] identity = engine.db().get(Keys.IDENTITY);
            identity[0] = 2; // written by a hypothetical format version 2
            engine.db().put(Keys.IDENTITY, identity);
        }
        StorageException e = assertThrows(StorageException.class, () -> RocksLogEngine.open(config(dir)));
        assertTrue(
                e.getMessage().contains("format version 2") && e.getMessage().contains("format version 1"),
                e.getMessage());
    }

    @Test
    void aFailedOpenReleasesTheDirectoryForTheRightIdentity() {
        RocksLogEngine.open(config(dir)).close();
        assertThrows(
                StorageException.class,
                () -> RocksLogEngine.open(
                        RocksLogEngineConfig.builder(dir, "x", 1).build()));
        // The lock file is released, so the right identity opens at once.
        RocksLogEngine.open(config(dir)).close();
    }

    @Test
    void newGroupsOpenedFromSeveralThreadsShareFsyncsAndAreAllBootstrapped() throws Exception {
        int groups = 200;
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            long before = engine.committer().syncCount();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            try {
                List<java.util.concurrent.Future<RocksLogStorage>> opened = new ArrayList<>();
                for (long g = 1; g <= groups; g++) {
                    long id = g;
                    opened.add(pool.submit(() -> engine.group(id, VOTERS)));
                }
                for (var f : opened) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdown();
            }
            long syncs = engine.committer().syncCount() - before;
            assertTrue(syncs < groups, "the bootstraps shared fsyncs: " + syncs + " syncs for " + groups + " groups");
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            for (long g = 1; g <= groups; g++) {
                assertEquals(
                        VOTERS,
                        engine.group(g, Membership.getDefaultInstance())
                                .initialState()
                                .membership());
            }
        }
    }

    /**
     * The runtime's path: many groups' writes, all submitted from one thread (no thread per group), are
     * gathered by the committer thread into shared syncs; each write completes only once a sync covering
     * its round has finished, and each group's writes land in order (checked after a reopen).
     */
    @Test
    void asynchronousWritesOfManyGroupsShareSyncsAndCompleteOnlyAfterTheirSync() throws Exception {
        int groups = 100;
        int writesPerGroup = 5;
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(groups);
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            List<RocksLogStorage> logs = new ArrayList<>();
            for (long g = 1; g <= groups; g++) {
                logs.add(engine.group(g, VOTERS));
            }
            long syncsBefore = engine.syncCount();
            long writesBefore = engine.syncedWriteCount();
            for (RocksLogStorage s : logs) {
                writeChain(engine, s, 1, writesPerGroup, violations, finished);
            }
            assertTrue(finished.await(60, java.util.concurrent.TimeUnit.SECONDS), "every chain of writes finished");
            assertTrue(violations.isEmpty(), () -> violations.size() + " violations, first: " + violations.get(0));
            long syncs = engine.syncCount() - syncsBefore;
            long writes = engine.syncedWriteCount() - writesBefore;
            assertEquals((long) groups * writesPerGroup, writes);
            assertTrue(
                    syncs * 5 <= writes,
                    "groups share syncs: " + syncs + " syncs for " + writes + " synced writes of " + groups
                            + " groups");
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            for (long g = 1; g <= groups; g++) {
                RocksLogStorage s = engine.group(g, VOTERS);
                assertEquals(2L * writesPerGroup, s.lastIndex(), "group " + g);
                List<Entry> all = s.entries(1, s.lastIndex() + 1, Long.MAX_VALUE);
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(
                            RocksTestSupport.entry(g, 1, i + 1, 50), all.get(i), "group " + g + " entry " + (i + 1));
                }
            }
        }
    }

    /** Writes entries {@code 2k-1, 2k} of {@code s}, and on completion the next pair, up to write {@code last}. */
    private static void writeChain(
            RocksLogEngine engine,
            RocksLogStorage s,
            int k,
            int last,
            List<String> violations,
            java.util.concurrent.CountDownLatch finished) {
        LogBatch b = new LogBatch(hardState(1, 1, 2L * k - 2), entries(s.groupId(), 1, 2L * k - 1, 2L * k, 50), true);
        s.writeAsync(List.of(b), (written, error) -> {
            long round = s.lastRound;
            long synced = engine.committer().syncedRound();
            if (error != null || written != 1) {
                violations.add("group " + s.groupId() + " write " + k + ": " + written + " written, " + error);
            } else if (round > synced) {
                violations.add(
                        "group " + s.groupId() + " write " + k + " completed in round " + round + ", synced " + synced);
            }
            if (k == last || error != null) {
                finished.countDown();
            } else {
                writeChain(engine, s, k + 1, last, violations, finished);
            }
        });
    }

    /** A lone write on an idle engine is one round and one sync: nothing waits for company. */
    @Test
    void aLoneAsynchronousWriteIsSyncedAtOnce() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(1, VOTERS);
            long syncs = engine.syncCount();
            long rounds = engine.committer().roundCount();
            RocksTestSupport.write(s, new LogBatch(hardState(1, 1, 0), entries(1, 1, 1, 3, 50), true), true);
            assertEquals(syncs + 1, engine.syncCount());
            assertEquals(rounds + 1, engine.committer().roundCount());
            assertEquals(3, s.lastIndex());
        }
    }

    @Test
    void groupsInOneEngineDoNotSeeEachOther() {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage a = engine.group(1, VOTERS);
            RocksLogStorage b =
                    engine.group(2, Membership.newBuilder().addVoters(9).build());
            a.write(new LogBatch(hardState(1, 1, 0), entries(1, 1, 1, 10, 50), true));
            b.write(new LogBatch(hardState(5, 9, 0), entries(2, 5, 1, 3, 50), true));
            a.write(new LogBatch(null, entries(1, 2, 4, 4, 50), true)); // truncates a's suffix only
            b.compact(2);
            assertEquals(4, a.lastIndex());
            assertEquals(1, a.firstIndex());
            assertEquals(3, b.lastIndex());
            assertEquals(3, b.firstIndex());
            assertEquals(entries(1, 1, 1, 3, 50), a.entries(1, 4, Long.MAX_VALUE));
            assertEquals(List.of(9L), b.initialState().membership().getVotersList());
            assertEquals(VOTERS, a.initialState().membership());
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage a = engine.group(1, Membership.getDefaultInstance());
            RocksLogStorage b = engine.group(2, Membership.getDefaultInstance());
            assertEquals(entries(1, 2, 4, 4, 50), a.entries(4, 5, Long.MAX_VALUE));
            assertEquals(entries(2, 5, 3, 3, 50), b.entries(3, 4, Long.MAX_VALUE));
            assertEquals(hardState(1, 1, 0), a.initialState().hardState());
            assertEquals(hardState(5, 9, 0), b.initialState().hardState());
            assertEquals(VOTERS, a.initialState().membership()); // the bootstrap membership is ignored now
        }
    }

    /**
     * A group whose local state is lost (raft-kv: a damaged snapshot with the log compacted behind it) is
     * emptied and marked recovering, keeping its term and vote; the other groups are untouched.
     */
    @Test
    void resetGroupEmptiesOneGroupKeepsItsTermAndVoteAndMarksItRecovering() {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage a = engine.group(1, VOTERS);
            RocksLogStorage b = engine.group(2, VOTERS);
            a.write(new LogBatch(hardState(4, 2, 8), entries(1, 4, 1, 10, 50), true));
            b.write(new LogBatch(hardState(3, 1, 5), entries(2, 3, 1, 6, 50), true));
            assertThrows(IllegalStateException.class, () -> engine.resetGroup(1, VOTERS), "open: refused");
            a.close();
            engine.resetGroup(1, VOTERS);
            RocksLogStorage reset = engine.group(1, Membership.getDefaultInstance());
            assertEquals(0, reset.lastIndex());
            assertEquals(VOTERS, reset.initialState().membership());
            assertEquals(
                    hardState(4, 2, 0).toBuilder().setRecovering(true).build(),
                    reset.initialState().hardState(),
                    "term and vote kept, commit dropped, recovering");
            assertEquals(6, b.lastIndex());
            assertEquals(hardState(3, 1, 5), b.initialState().hardState());
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            assertEquals(0, engine.group(1, VOTERS).lastIndex(), "the reset is durable");
            assertEquals(entries(2, 3, 1, 6, 50), engine.group(2, VOTERS).entries(1, 7, Long.MAX_VALUE));
        }
    }

    @Test
    void aGroupCanBeOpenedOnlyOnceAtATime() {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage a = engine.group(1, VOTERS);
            assertThrows(IllegalStateException.class, () -> engine.group(1, VOTERS));
            a.close();
            engine.group(1, VOTERS).close();
        }
    }

    @Test
    void aClosedStorageOrEngineRefusesEveryCall() {
        RocksLogEngine engine = RocksLogEngine.open(config(dir));
        RocksLogStorage a = engine.group(1, VOTERS);
        RocksLogStorage b = engine.group(2, VOTERS);
        a.close();
        a.close();
        assertThrows(StorageException.class, a::lastIndex);
        assertThrows(StorageException.class, () -> a.term(0));
        assertThrows(StorageException.class, () -> a.entries(1, 1, 1));
        assertThrows(StorageException.class, a::initialState);
        assertThrows(StorageException.class, () -> a.compact(0));
        engine.close();
        engine.close();
        assertThrows(StorageException.class, b::firstIndex);
        assertThrows(StorageException.class, () -> b.write(new LogBatch(null, entries(2, 1, 1, 1, 5), true)));
        assertThrows(StorageException.class, () -> engine.group(3, VOTERS));
    }

    @Test
    void openCloseCyclesReleaseEveryNativeHandle() {
        List<RocksObject> seen = new ArrayList<>();
        int cycles = Integer.getInteger("raft.rocks.openCloseCycles", 100);
        long[] perGroup = new long[3];
        for (int cycle = 0; cycle < cycles; cycle++) {
            perGroup[cycle % 3] += 5;
            RocksLogEngine engine = RocksLogEngine.open(config(dir));
            List<RocksObject> handles = engine.nativeHandles();
            assertTrue(handles.size() >= 9, "handles: " + handles.size());
            for (RocksObject h : handles) {
                assertTrue(h.isOwningHandle());
            }
            try (RocksLogStorage s = engine.group(cycle % 3, VOTERS)) {
                long next = s.lastIndex() + 1;
                s.write(new LogBatch(hardState(1, 1, next), entries(cycle % 3, 1, next, next + 4, 100), true));
                s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE);
            }
            engine.close();
            for (RocksObject h : handles) {
                assertFalse(h.isOwningHandle(), "not released: " + h.getClass().getSimpleName());
            }
            if (cycle == 0) {
                seen.addAll(handles);
            }
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            for (int g = 0; g < 3; g++) {
                assertEquals(perGroup[g], engine.group(g, VOTERS).lastIndex(), "group " + g);
            }
        }
        assertFalse(seen.isEmpty());
    }
}
