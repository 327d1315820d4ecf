package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.testkit.contract.LogStorageContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@link LogStorageContractTest} suite against {@link RocksLogStorage}, reopening the whole
 * engine on {@link #reopen}. The entry cache is tiny (about eight entries), so reads go through both the
 * cache and RocksDB. Neighbouring groups 6 and 8 hold entries of their own throughout, and must come out
 * untouched: every DeleteRange of group 7 stays inside group 7.
 */
class RocksLogStorageContractTest extends LogStorageContractTest {
    private static final long GROUP = 7;

    @TempDir
    Path dir;

    private RocksLogEngine engine;

    private RocksLogEngine openEngine() {
        return RocksLogEngine.open(RocksLogEngineConfig.builder(dir.resolve("db"), "contract", 1)
                .entryCacheBytesPerGroup(300)
                .blockCacheBytes(8 << 20)
                .build());
    }

    @Override
    protected LogStorage create(Membership membership) {
        engine = openEngine();
        for (long neighbour : new long[] {GROUP - 1, GROUP + 1}) {
            try (RocksLogStorage n = engine.group(neighbour, membership)) {
                n.write(new LogBatch(null, entries(9, 1, 50), true));
            }
        }
        return engine.group(GROUP, membership);
    }

    @Override
    protected LogStorage reopen(LogStorage storage) {
        storage.close();
        engine.close();
        engine = openEngine();
        return engine.group(GROUP, VOTERS);
    }

    @Override
    protected Damage damage() {
        return new Damage() {
            @Override
            public void entry(long index) {
                flip(true, Keys.entry(GROUP, index));
            }

            @Override
            public void hardState() {
                flip(false, Keys.state(GROUP, Keys.HARD_STATE));
            }
        };
    }

    /** Flips a bit in a stored record, through RocksDB with the storage closed. */
    private void flip(boolean log, byte[] key) {
        engine.close();
        try (RocksLogEngine e = openEngine()) {
            var family = log ? e.logFamily() : e.stateFamily();
            byte[] v = e.db().get(family, key);
            v[v.length - 1] ^= 0x20;
            e.db().put(family, key, v);
        } catch (org.rocksdb.RocksDBException x) {
            throw new AssertionError(x);
        }
    }

    @AfterEach
    void neighboursAreUntouched() {
        if (engine != null) {
            engine.close();
            engine = openEngine();
            for (long neighbour : new long[] {GROUP - 1, GROUP + 1}) {
                try (RocksLogStorage n = engine.group(neighbour, VOTERS)) {
                    assertEquals(entries(9, 1, 50), n.entries(1, 51, Long.MAX_VALUE), "group " + neighbour);
                }
            }
            engine.close();
        }
    }
}
