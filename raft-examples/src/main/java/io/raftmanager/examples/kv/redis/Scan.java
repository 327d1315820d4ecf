package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.pcollections.PSortedMap;

/**
 * Cursor iteration over a map in {@link Key#ORDER}: the cursor is the hash where the next page starts,
 * so it is the same on every replica and survives a leader change. Keys sharing a hash are returned in
 * one page, so every key present for the whole iteration is returned at least once, as Redis promises.
 */
final class Scan {
    private Scan() {}

    /** Options common to SCAN, HSCAN and SSCAN, or an error. */
    record Options(ByteString pattern, long count, String type, Reply error) {}

    static Long parseCursor(ByteString b) {
        try {
            return Long.parseUnsignedLong(b.toStringUtf8());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Options options(List<ByteString> a, int from, boolean allowType) {
        ByteString pattern = null;
        long count = 10;
        String type = null;
        for (int i = from; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (i + 1 >= a.size()) {
                return new Options(null, 0, null, R.SYNTAX);
            }
            if (o.equals("MATCH")) {
                pattern = a.get(++i);
            } else if (o.equals("COUNT")) {
                Long n = Num.parseLong(a.get(++i));
                if (n == null) {
                    return new Options(null, 0, null, R.NOT_INTEGER);
                }
                if (n < 1) {
                    return new Options(null, 0, null, R.SYNTAX);
                }
                count = n;
            } else if (o.equals("TYPE") && allowType) {
                type = a.get(++i).toStringUtf8().toLowerCase(java.util.Locale.ROOT);
            } else {
                return new Options(null, 0, null, R.SYNTAX);
            }
        }
        return new Options(pattern, count, type, null);
    }

    /**
     * One page from {@code cursor}: visits up to about {@code count} entries and hands those that pass
     * {@code keep} and the pattern to {@code emit}. Returns the reply [next cursor, items].
     */
    static <V> Reply page(
            PSortedMap<Key, V> map,
            long cursor,
            Options o,
            Predicate<Map.Entry<Key, V>> keep,
            BiConsumer<Map.Entry<Key, V>, List<Reply>> emit) {
        Iterator<Map.Entry<Key, V>> it = (cursor == 0 ? map : map.tailMap(Key.floor(cursor), true))
                .entrySet()
                .iterator();
        return page(it, o, keep, emit);
    }

    /** The same over a database. */
    static <V> Reply page(
            KeyMap<V> map,
            long cursor,
            Options o,
            Predicate<Map.Entry<Key, V>> keep,
            BiConsumer<Map.Entry<Key, V>, List<Reply>> emit) {
        return page(map.from(cursor), o, keep, emit);
    }

    private static <V> Reply page(
            Iterator<Map.Entry<Key, V>> it,
            Options o,
            Predicate<Map.Entry<Key, V>> keep,
            BiConsumer<Map.Entry<Key, V>, List<Reply>> emit) {
        List<Reply> items = new ArrayList<>();
        long next = 0;
        long visited = 0;
        long lastHash = 0;
        while (it.hasNext()) {
            Map.Entry<Key, V> e = it.next();
            if (visited >= o.count() && e.getKey().hash() != lastHash) {
                next = e.getKey().hash();
                break;
            }
            visited++;
            lastHash = e.getKey().hash();
            if ((o.pattern() == null || Glob.matches(o.pattern(), e.getKey().bytes())) && keep.test(e)) {
                emit.accept(e, items);
            }
        }
        return R.array(List.of(R.bulk(Long.toUnsignedString(next)), R.array(items)));
    }
}
