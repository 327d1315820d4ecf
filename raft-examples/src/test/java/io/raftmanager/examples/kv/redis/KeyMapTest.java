package io.raftmanager.examples.kv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link KeyMap} against a {@link TreeMap} in {@link Key#ORDER}, with snapshots taken along the way. */
class KeyMapTest {
    /**
     * Keys from a few hash shapes: random (shallow tries), a shared 58-bit prefix (the deepest levels),
     * and equal hashes (collision nodes), so every node kind is created, split and collapsed.
     */
    private static Key key(SplittableRandom r) {
        ByteString bytes = ByteString.copyFromUtf8("k" + r.nextInt(400));
        long h = Key.of(bytes).hash();
        return switch (r.nextInt(3)) {
            case 0 -> Key.withHash(h, bytes);
            case 1 -> Key.withHash(0x5A5A5A5A5A5A5A40L | (h & 0x3F), bytes);
            default -> Key.withHash(0x0123456789ABCDEFL ^ (h & 0x3), bytes);
        };
    }

    private record Frozen(KeyMap<Integer> snapshot, NavigableMap<Key, Integer> expected) {}

    /** Runs random writes, reads, snapshots and cursor scans for one seed; any difference fails. */
    private static void run(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        KeyMap<Integer> map = new KeyMap<>();
        NavigableMap<Key, Integer> model = new TreeMap<>(Key.ORDER);
        List<Frozen> frozen = new ArrayList<>();
        for (int step = 0; step < 1_500; step++) {
            Key k = key(r);
            int op = r.nextInt(10);
            if (op < 5) {
                int v = r.nextInt();
                assertEquals(model.put(k, v), map.put(k, v), "put " + k);
            } else if (op < 8) {
                assertEquals(model.remove(k), map.remove(k), "remove " + k);
            } else if (op == 8) {
                assertEquals(model.get(k), map.get(k), "get " + k);
            } else if (frozen.size() < 5) {
                frozen.add(new Frozen(map.snapshot(), new TreeMap<>(model)));
            }
            assertEquals(model.size(), map.size());
        }
        assertSame(model, map);
        long cursor = r.nextLong();
        assertEquals(
                List.copyOf(model.tailMap(Key.withHash(cursor, ByteString.EMPTY), true)
                        .entrySet()),
                toList(map.from(cursor)),
                "entries from cursor " + Long.toUnsignedString(cursor));
        for (Frozen f : frozen) {
            assertSame(f.expected(), f.snapshot());
        }
        KeyMap<Integer> thawed = map.snapshot().thaw();
        thawed.put(Key.of(ByteString.copyFromUtf8("only-in-the-thawed-copy")), 1);
        assertSame(model, map);
    }

    private static void assertSame(NavigableMap<Key, Integer> expected, KeyMap<Integer> actual) {
        assertEquals(expected.size(), actual.size());
        assertEquals(List.copyOf(expected.entrySet()), toList(actual.iterator()));
        for (Map.Entry<Key, Integer> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()));
        }
    }

    private static List<Map.Entry<Key, Integer>> toList(Iterator<Map.Entry<Key, Integer>> it) {
        List<Map.Entry<Key, Integer>> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(Map.entry(e.getKey(), e.getValue())));
        return out;
    }

    @Test
    void behavesLikeASortedMapAndSnapshotsNeverChange() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(KeyMapTest::run);
    }

    @Test
    void aSnapshotCannotBeWrittenAndAnEmptyMapHasNoEntries() {
        KeyMap<Integer> map = new KeyMap<>();
        assertNull(map.ceilingOrFirst(42));
        assertEquals(List.of(), toList(map.iterator()));
        map.put(Key.of(ByteString.copyFromUtf8("a")), 1);
        KeyMap<Integer> snap = map.snapshot();
        assertThrows(IllegalStateException.class, () -> snap.put(Key.of(ByteString.copyFromUtf8("b")), 2));
        assertThrows(IllegalStateException.class, () -> snap.remove(Key.of(ByteString.copyFromUtf8("a"))));
        assertEquals(1, map.ceilingOrFirst(-1L).getValue(), "wraps around to the first entry");
    }
}
