package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.VOTERS;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.config;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.entries;
import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.PersistentState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged record in the middle of RocksDB's write-ahead log. With {@code PointInTimeRecovery} RocksDB
 * silently replays only the writes before it; the engine must report that as a loss, never serve the
 * shorter log as if it were whole.
 */
class WalCorruptionTest {
    private static final long GROUP = 3;

    @TempDir
    Path dir;

    private static Path onlyWal(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> wals =
                    files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
            assertEquals(1, wals.size(), "one WAL: " + wals);
            return wals.get(0);
        }
    }

    @Test
    void aCorruptRecordInTheMiddleOfTheWalIsADetectedLoss() throws Exception {
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            // Three synced writes: three WAL records of about 10 KB each.
            s.write(new LogBatch(hardState(1, 1, 0), entries(GROUP, 1, 1, 100, 100), true));
            s.write(new LogBatch(hardState(1, 1, 100), entries(GROUP, 1, 101, 200, 100), true));
            s.write(new LogBatch(hardState(1, 1, 200), entries(GROUP, 1, 201, 300, 100), true));
        }
        Path wal = onlyWal(dir);
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            long at = f.length() / 2; // inside the second write
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            RocksLogStorage s = engine.group(GROUP, VOTERS);
            PersistentState state = s.initialState();
            assertTrue(s.lastIndex() < 300, "the writes after the damaged record are gone: " + s.lastIndex());
            assertTrue(state.lost(), "and that is reported, not silent (last index " + s.lastIndex() + ")");
            assertTrue(state.hardState().getRecovering(), "durably: a crash now still recovers");
            assertTrue(state.hardState().getCommit() <= s.lastIndex());
        }
        try (RocksLogEngine engine = RocksLogEngine.open(config(dir))) {
            PersistentState again = engine.group(GROUP, VOTERS).initialState();
            assertTrue(again.hardState().getRecovering(), "still recovering after a second restart");
            assertFalse(again.lost() && !again.hardState().getRecovering());
        }
    }
}
