package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.VOTERS;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.config;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.entries;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * Records damaged on purpose, written directly through RocksDB under the engine's keys, are detected on
 * read with a {@link StorageException} naming the group and the index; no damaged entry is returned.
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

    /** Replaces the stored value under {@code key} in {@code family}, bypassing the storage. */
    private void tamper(boolean log, byte[] key, java.util.function.UnaryOperator<byte[]> damage)
            throws RocksDBException {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            var family = log ? engine.logFamily() : engine.stateFamily();
            byte[] value = engine.db().get(family, key);
            engine.db().put(family, key, damage.apply(value));
        }
    }

    private static void assertCorruption(Executable read, String... mentions) {
        StorageException e = assertThrows(StorageException.class, read);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' does not mention '" + m + "'");
        }
    }

    @Test
    void aFlippedBitInAnEntryIsReportedWithGroupAndIndex() throws Exception {
        tamper(true, Keys.entry(GROUP, 5), v -> {
            v[v.length - 7] ^= 0x10;
            return v;
        });
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            assertCorruption(() -> s.entries(1, 21, Long.MAX_VALUE), "group 42 entry 5", "CRC32C");
            assertCorruption(() -> s.entries(5, 6, Long.MAX_VALUE), "group 42 entry 5");
            assertCorruption(() -> s.term(5), "group 42 entry 5");
            assertEquals(entries(GROUP, 2, 1, 4, 100), s.entries(1, 5, Long.MAX_VALUE)); // the rest is fine
            assertEquals(entries(GROUP, 2, 6, 20, 100), s.entries(6, 21, Long.MAX_VALUE));
        }
    }

    @Test
    void aTruncatedEntryIsReported() throws Exception {
        tamper(true, Keys.entry(GROUP, 7), v -> Arrays.copyOf(v, 3));
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            assertCorruption(() -> s.term(7), "group 42 entry 7", "corrupted");
        }
    }

    @Test
    void anEntryStoredUnderTheWrongIndexIsReported() throws Exception {
        byte[][] eight = new byte[1][];
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            eight[0] = engine.db().get(engine.logFamily(), Keys.entry(GROUP, 8));
        }
        tamper(true, Keys.entry(GROUP, 9), v -> eight[0]); // a misdirected write: valid record, wrong key
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            assertCorruption(() -> s.entries(8, 10, Long.MAX_VALUE), "group 42 entry 9");
        }
    }

    @Test
    void aMissingEntryInsideTheLogIsReported() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            engine.db().delete(engine.logFamily(), Keys.entry(GROUP, 11));
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            assertCorruption(() -> s.entries(10, 13, Long.MAX_VALUE), "group 42 entry 11", "missing");
            assertCorruption(() -> s.term(11), "group 42 entry 11", "missing");
        }
    }

    @Test
    void aDamagedLastEntryOrHardStateFailsTheGroupOpen() throws Exception {
        tamper(true, Keys.entry(GROUP, 20), v -> {
            v[RecordCodec.HEADER] ^= 1;
            return v;
        });
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            assertCorruption(() -> engine.group(GROUP, VOTERS), "group 42 entry 20");
        }
        tamper(false, Keys.state(GROUP, Keys.HARD_STATE), v -> {
            v[v.length - 1] ^= 1;
            return v;
        });
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            engine.db()
                    .put(
                            engine.logFamily(),
                            Keys.entry(GROUP, 20),
                            RecordCodec.encode(Keys.entry(GROUP, 20), RocksTestSupport.entry(GROUP, 2, 20, 100)));
            assertCorruption(() -> engine.group(GROUP, VOTERS), "group 42 hard state");
        }
    }

    @Test
    void aRecordOfANewerFormatVersionIsRefused() throws Exception {
        tamper(true, Keys.entry(GROUP, 3), v -> {
            v[0] = 9;
            return v;
        });
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            assertCorruption(() -> s.term(3), "group 42 entry 3", "format version 9");
        }
    }
}
