package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The groups of one engine share its entry-cache budget: each open group may cache an equal share, so
 * many busy groups hold a bounded amount of memory (entries cached for seconds would outlive young
 * collections), while a lone group keeps its whole per-group bound.
 */
class EntryCacheShareTest {
    private static final Membership VOTERS =
            Membership.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    private static final int PAYLOAD = 1000;

    @TempDir
    Path dir;

    @Test
    void shareIsEqualAndBounded() {
        RocksLogEngineConfig c = RocksLogEngineConfig.builder(dir, "c", 1)
                .entryCacheBytesPerGroup(1L << 20)
                .entryCacheBytes(4L << 20)
                .build();
        assertEquals(1L << 20, c.entryCacheShare(1), "a lone group keeps its per-group bound");
        assertEquals(1L << 20, c.entryCacheShare(4));
        assertEquals(64L << 10, c.entryCacheShare(64), "64 groups split the budget");
        assertEquals(
                RocksLogEngineConfig.MIN_ENTRY_CACHE_SHARE_BYTES, c.entryCacheShare(10_000), "never below the floor");
        RocksLogEngineConfig small = RocksLogEngineConfig.builder(dir, "c", 1)
                .entryCacheBytesPerGroup(8 << 10)
                .build();
        assertEquals(8L << 10, small.entryCacheShare(10_000), "the per-group bound caps the floor too");
    }

    @Test
    void groupsOpenedLaterShrinkEveryGroupsShareAndClosingThemGivesItBack() {
        long total = 128L << 10;
        try (RocksLogEngine engine = RocksLogEngine.open(RocksLogEngineConfig.builder(dir.resolve("db"), "c", 1)
                .entryCacheBytesPerGroup(1L << 20)
                .entryCacheBytes(total)
                .build())) {
            RocksLogStorage first = engine.group(1, VOTERS);
            first.write(new LogBatch(null, entries(1, 300), true));
            long alone = first.cachedBytes();
            assertTrue(alone > total / 2 && alone <= total, "alone it caches up to the whole budget: " + alone);

            List<RocksLogStorage> others = new ArrayList<>();
            for (long g = 2; g <= 8; g++) {
                others.add(engine.group(g, VOTERS));
            }
            for (RocksLogStorage s : others) {
                s.write(new LogBatch(null, entries(1, 300), true));
            }
            first.write(new LogBatch(null, entries(301, 10), true));
            long share = total / 8;
            for (RocksLogStorage s : others) {
                assertTrue(s.cachedBytes() <= share, "group " + s.groupId() + " caches " + s.cachedBytes());
            }
            assertTrue(first.cachedBytes() <= share, "its next append trims the first group: " + first.cachedBytes());
            // What left the cache is still there, read from RocksDB.
            assertEquals(310, first.entries(1, 311, Long.MAX_VALUE).size());

            others.forEach(RocksLogStorage::close);
            first.write(new LogBatch(null, entries(311, 300), true));
            assertTrue(first.cachedBytes() > total / 2, "alone again, it may fill the budget: " + first.cachedBytes());
            first.close();
        }
    }

    private static List<Entry> entries(long from, int count) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i < from + count; i++) {
            out.add(Entry.newBuilder()
                    .setTerm(1)
                    .setIndex(i)
                    .setData(ByteString.copyFrom(new byte[PAYLOAD]))
                    .build());
        }
        return out;
    }
}
