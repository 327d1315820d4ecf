package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.VOTERS;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.config;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.entries;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.StorageException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * Records damaged on purpose, written directly through RocksDB under the engine's keys. While the group is
 * open, a read of a damaged record fails with a {@link StorageException} naming the group and the index
 * (no damaged entry is ever returned). At the next open the damage is a detected loss: the group keeps the
 * log before the damaged record, drops the rest, marks itself recovering durably and reports {@code lost}.
 */
class CorruptionTest {
    private static final long GROUP = 42;

    @TempDir
    Path dir;

    @BeforeEach
    void writeLog() {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            engine.group(GROUP, VOTERS).write(new LogBatch(hardState(2, 1, 10), entries(GROUP, 2, 1, 20, 100), true));
        }
    }

    /** Replaces the stored value under {@code key} in {@code family} of an open engine, bypassing the storage. */
    private static void tamper(RocksLogEngine engine, boolean log, byte[] key, UnaryOperator<byte[]> damage)
            throws RocksDBException {
        var family = log ? engine.logFamily() : engine.stateFamily();
        byte[] value = engine.db().get(family, key);
        engine.db().put(family, key, damage.apply(value));
    }

    private static void assertCorruption(Executable read, String... mentions) {
        StorageException e = assertThrows(StorageException.class, read);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' does not mention '" + m + "'");
        }
    }

    /** Reopens and checks the loss is reported, the log kept up to {@code keptLast}, and recovery durable. */
    private void assertDetectedLossAtOpen(long keptLast, long commit) {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            PersistentState state = s.initialState();
            assertTrue(state.lost(), "the loss is reported");
            assertTrue(state.hardState().getRecovering(), "and marked durably");
            assertEquals(keptLast, s.lastIndex(), "the log before the damage is kept");
            assertEquals(commit, state.hardState().getCommit(), "commit index within what is left");
            if (keptLast > 0) {
                assertEquals(entries(GROUP, 2, 1, keptLast, 100), s.entries(1, keptLast + 1, Long.MAX_VALUE));
            }
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            PersistentState again = engine.group(GROUP, VOTERS).initialState();
            assertFalse(again.lost(), "repaired: nothing new is lost");
            assertTrue(again.hardState().getRecovering(), "but the recovery still stands");
        }
    }

    @Test
    void aFlippedBitInAnEntryIsReportedWithGroupAndIndex() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            tamper(engine, true, Keys.entry(GROUP, 5), v -> {
                v[v.length - 7] ^= 0x10;
                return v;
            });
            assertCorruption(() -> s.entries(1, 21, Long.MAX_VALUE), "group 42 entry 5", "CRC32C");
            assertCorruption(() -> s.entries(5, 6, Long.MAX_VALUE), "group 42 entry 5");
            assertCorruption(() -> s.term(5), "group 42 entry 5");
            assertEquals(entries(GROUP, 2, 1, 4, 100), s.entries(1, 5, Long.MAX_VALUE)); // the rest is fine
            assertEquals(entries(GROUP, 2, 6, 20, 100), s.entries(6, 21, Long.MAX_VALUE));
        }
        assertDetectedLossAtOpen(4, 4);
    }

    @Test
    void aTruncatedEntryIsReported() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            tamper(engine, true, Keys.entry(GROUP, 7), v -> Arrays.copyOf(v, 3));
            assertCorruption(() -> s.term(7), "group 42 entry 7", "corrupted");
        }
        assertDetectedLossAtOpen(6, 6);
    }

    @Test
    void anEntryStoredUnderTheWrongIndexIsReported() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            byte[] eight = engine.db().get(engine.logFamily(), Keys.entry(GROUP, 8));
            tamper(engine, true, Keys.entry(GROUP, 9), v -> eight); // a misdirected write: valid record, wrong key
            assertCorruption(() -> s.entries(8, 10, Long.MAX_VALUE), "group 42 entry 9");
        }
        assertDetectedLossAtOpen(8, 8);
    }

    @Test
    void aMissingEntryInsideTheLogIsReported() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            engine.db().delete(engine.logFamily(), Keys.entry(GROUP, 11));
            assertCorruption(() -> s.entries(10, 13, Long.MAX_VALUE), "group 42 entry 11", "missing");
            assertCorruption(() -> s.term(11), "group 42 entry 11", "missing");
        }
        assertDetectedLossAtOpen(10, 10);
    }

    @Test
    void aDamagedLastEntryIsADetectedLossNotAFailedOpen() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            tamper(engine, true, Keys.entry(GROUP, 20), v -> {
                v[RecordCodec.HEADER] ^= 1;
                return v;
            });
        }
        assertDetectedLossAtOpen(19, 10);
    }

    @Test
    void aDamagedHardStateIsADetectedLossThatKeepsTheLog() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            tamper(engine, false, Keys.state(GROUP, Keys.HARD_STATE), v -> {
                v[v.length - 1] ^= 1;
                return v;
            });
        }
        assertDetectedLossAtOpen(20, 0); // the term, vote and commit index are forgotten
    }

    @Test
    void aDamagedSnapshotRecordDropsTheUnplaceableLog() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            tamper(engine, false, Keys.state(GROUP, Keys.SNAPSHOT), v -> {
                v[RecordCodec.HEADER] ^= 1;
                return v;
            });
        }
        assertDetectedLossAtOpen(0, 0);
    }

    @Test
    void aDamagedIdentityIsRewrittenAndEveryGroupRecovers() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            byte[] identity = engine.db().get(Keys.IDENTITY);
            identity[identity.length - 1] ^= 1;
            engine.db().put(Keys.IDENTITY, identity);
        }
        assertDetectedLossAtOpen(20, 10);
    }

    @Test
    void aRecordOfANewerFormatVersionIsRefused() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            tamper(engine, true, Keys.entry(GROUP, 3), v -> {
                v[0] = 9;
                return v;
            });
            assertCorruption(() -> s.term(3), "group 42 entry 3", "format version 9");
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            // Not damage: a newer build wrote it. Refused, never dropped.
            assertCorruption(() -> engine.group(GROUP, VOTERS), "group 42 entry 3", "format version 9");
        }
    }
}
