package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/** Checks that the RocksDB native library loads and that a synced write survives a reopen. */
class RocksDbSmokeTest {

    @TempDir
    Path dir;

    @Test
    void syncedWriteSurvivesReopen() throws RocksDBException {
        RocksDB.loadLibrary();
        byte[] key = "term".getBytes(StandardCharsets.UTF_8);
        byte[] value = "7".getBytes(StandardCharsets.UTF_8);
        String path = dir.resolve("db").toString();

        try (Options options = new Options().setCreateIfMissing(true);
                WriteOptions sync = new WriteOptions().setSync(true)) {
            try (RocksDB db = RocksDB.open(options, path)) {
                db.put(sync, key, value);
            }
            try (RocksDB db = RocksDB.open(options, path)) {
                assertArrayEquals(value, db.get(key));
            }
        }
    }
}
