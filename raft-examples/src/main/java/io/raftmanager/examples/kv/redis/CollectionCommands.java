package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePMap;
import org.pcollections.TreePVector;

/**
 * A basic subset of lists and sets (push/pop/range, add/remove/members), enough for applications and
 * for the type checks of other families; the full families are not implemented.
 */
final class CollectionCommands {
    private CollectionCommands() {}

    static void register(CommandTable t) {
        t.add("lpush", -3, "list", key1(), (c, a) -> push(c, a, true), WRITE, DENYOOM, FAST);
        t.add("rpush", -3, "list", key1(), (c, a) -> push(c, a, false), WRITE, DENYOOM, FAST);
        t.add("lpop", -2, "list", key1(), (c, a) -> pop(c, a, true), WRITE, FAST);
        t.add("rpop", -2, "list", key1(), (c, a) -> pop(c, a, false), WRITE, FAST);
        t.add(
                "llen",
                2,
                "list",
                key1(),
                (c, a) -> {
                    PVector<ByteString> l = list(c.get(a.get(1)));
                    return R.integer(l == null ? 0 : l.size());
                },
                READONLY,
                FAST);
        t.add("lrange", 4, "list", key1(), CollectionCommands::lrange, READONLY);
        t.add("sadd", -3, "set", key1(), CollectionCommands::sadd, WRITE, DENYOOM, FAST);
        t.add("srem", -3, "set", key1(), CollectionCommands::srem, WRITE, FAST);
        t.add(
                "smembers",
                2,
                "set",
                key1(),
                (c, a) -> {
                    PSortedMap<Key, ByteString> s = set(c.get(a.get(1)));
                    return R.set(
                            s == null
                                    ? List.of()
                                    : R.bulks(new ArrayList<>(s.values()))
                                            .getArray()
                                            .getItemsList());
                },
                READONLY);
        t.add(
                "scard",
                2,
                "set",
                key1(),
                (c, a) -> {
                    PSortedMap<Key, ByteString> s = set(c.get(a.get(1)));
                    return R.integer(s == null ? 0 : s.size());
                },
                READONLY,
                FAST);
        t.add("sort", -2, "generic", key1(), CollectionCommands::sort, WRITE, DENYOOM);
        t.add("spop", -2, "set", key1(), CollectionCommands::spop, WRITE, FAST);
        t.add("srandmember", -2, "set", key1(), CollectionCommands::srandmember, READONLY);
        t.add(
                "sismember",
                3,
                "set",
                key1(),
                (c, a) -> {
                    PSortedMap<Key, ByteString> s = set(c.get(a.get(1)));
                    return R.bool(s != null && s.containsKey(Key.of(a.get(2))));
                },
                READONLY,
                FAST);
    }

    static PVector<ByteString> list(Entry e) {
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Entry.ListValue)) {
            throw StringCommands.WrongType.INSTANCE;
        }
        return ((Entry.ListValue) e.value()).items();
    }

    private static PSortedMap<Key, ByteString> set(Entry e) {
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Entry.SetValue)) {
            throw StringCommands.WrongType.INSTANCE;
        }
        return ((Entry.SetValue) e.value()).members();
    }

    private static Reply push(Ctx c, List<ByteString> a, boolean left) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PVector<ByteString> l = list(old);
        if (l == null) {
            l = TreePVector.empty();
        }
        for (int i = 2; i < a.size(); i++) {
            l = left ? l.plus(0, a.get(i)) : l.plus(a.get(i));
        }
        c.update(k, old, new Entry.ListValue(l));
        return R.integer(l.size());
    }

    private static Reply pop(Ctx c, List<ByteString> a, boolean left) {
        if (a.size() > 3) {
            return R.SYNTAX;
        }
        Long count = null;
        if (a.size() == 3) {
            count = Num.parseLong(a.get(2));
            if (count == null || count < 0) {
                return R.error("ERR value is out of range, must be positive");
            }
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PVector<ByteString> l = list(old);
        if (l == null) {
            return count == null ? R.NIL : R.NULL_ARRAY;
        }
        long n = count == null ? 1 : Math.min(count, l.size());
        List<ByteString> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            int at = left ? 0 : l.size() - 1;
            out.add(l.get(at));
            l = l.minus(at);
        }
        if (l.isEmpty()) {
            c.delete(k);
        } else if (n > 0) {
            c.update(k, old, new Entry.ListValue(l));
        }
        return count == null ? R.bulk(out.get(0)) : R.bulks(out);
    }

    private static Reply lrange(Ctx c, List<ByteString> a) {
        Long start = Num.parseLong(a.get(2));
        Long end = Num.parseLong(a.get(3));
        if (start == null || end == null) {
            return R.NOT_INTEGER;
        }
        PVector<ByteString> l = list(c.get(a.get(1)));
        if (l == null) {
            return R.EMPTY_ARRAY;
        }
        long n = l.size();
        long from = start < 0 ? Math.max(0, n + start) : start;
        long to = end < 0 ? n + end : Math.min(end, n - 1);
        if (from > to || from >= n) {
            return R.EMPTY_ARRAY;
        }
        return R.bulks(l.subList((int) from, (int) to + 1));
    }

    private static Reply sadd(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> s = set(old);
        if (s == null) {
            s = TreePMap.empty(Key.ORDER);
        }
        long added = 0;
        for (int i = 2; i < a.size(); i++) {
            Key m = Key.of(a.get(i));
            if (!s.containsKey(m)) {
                s = s.plus(m, a.get(i));
                added++;
            }
        }
        c.update(k, old, new Entry.SetValue(s));
        return R.integer(added);
    }

    /** SORT of a list or set, numeric or ALPHA, with LIMIT, DESC and STORE; BY and GET are not supported. */
    private static Reply sort(Ctx c, List<ByteString> a) {
        boolean desc = false;
        boolean alpha = false;
        long offset = 0;
        long count = -1;
        ByteString store = null;
        for (int i = 2; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("ASC")) {
                desc = false;
            } else if (o.equals("DESC")) {
                desc = true;
            } else if (o.equals("ALPHA")) {
                alpha = true;
            } else if (o.equals("LIMIT") && i + 2 < a.size()) {
                Long off = Num.parseLong(a.get(i + 1));
                Long cnt = Num.parseLong(a.get(i + 2));
                if (off == null || cnt == null) {
                    return R.NOT_INTEGER;
                }
                offset = off;
                count = cnt;
                i += 2;
            } else if (o.equals("STORE") && i + 1 < a.size()) {
                store = a.get(++i);
            } else if ((o.equals("BY") || o.equals("GET")) && i + 1 < a.size()) {
                return R.error("ERR SORT BY and GET are not supported by raft-kv");
            } else {
                return R.SYNTAX;
            }
        }
        Entry e = c.get(a.get(1));
        List<ByteString> items = new ArrayList<>();
        if (e != null) {
            if (e.value() instanceof Entry.ListValue) {
                items.addAll(((Entry.ListValue) e.value()).items());
            } else if (e.value() instanceof Entry.SetValue) {
                items.addAll(((Entry.SetValue) e.value()).members().values());
            } else {
                return R.WRONGTYPE;
            }
        }
        if (alpha) {
            items.sort(ByteString.unsignedLexicographicalComparator());
        } else {
            List<double[]> scores = new ArrayList<>();
            for (ByteString item : items) {
                Double d = Num.parseDouble(item);
                if (d == null) {
                    return R.error("ERR One or more scores can't be converted into double");
                }
                scores.add(new double[] {d});
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                order.add(i);
            }
            List<ByteString> unsorted = items;
            order.sort((x, y) -> {
                int cmp = Double.compare(scores.get(x)[0], scores.get(y)[0]);
                return cmp != 0
                        ? cmp
                        : ByteString.unsignedLexicographicalComparator().compare(unsorted.get(x), unsorted.get(y));
            });
            List<ByteString> sorted = new ArrayList<>();
            for (int i : order) {
                sorted.add(unsorted.get(i));
            }
            items = sorted;
        }
        if (desc) {
            java.util.Collections.reverse(items);
        }
        int from = (int) Math.max(0, Math.min(offset, items.size()));
        int to = count < 0 ? items.size() : (int) Math.min(items.size(), from + count);
        items = items.subList(from, Math.max(from, to));
        if (store == null) {
            return R.bulks(items);
        }
        Key dst = Key.of(store);
        if (items.isEmpty()) {
            c.delete(dst);
        } else {
            c.put(dst, new Entry.ListValue(TreePVector.from(items)), 0);
        }
        return R.integer(items.size());
    }

    private static Reply spop(Ctx c, List<ByteString> a) {
        if (a.size() > 3) {
            return R.SYNTAX;
        }
        Long count = null;
        if (a.size() == 3) {
            count = Num.parseLong(a.get(2));
            if (count == null || count < 0) {
                return R.error("ERR value is out of range, must be positive");
            }
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> s = set(old);
        if (s == null) {
            return count == null ? R.NIL : R.set(List.of());
        }
        List<Key> all = new ArrayList<>(s.keySet());
        long n = count == null ? 1 : Math.min(count, all.size());
        List<Reply> out = new ArrayList<>();
        for (long i = 0; i < n; i++) { // seeded by the log index: every replica pops the same members
            int j = (int) i + c.random().nextInt(all.size() - (int) i);
            Key t = all.get((int) i);
            all.set((int) i, all.get(j));
            all.set(j, t);
            Key m = all.get((int) i);
            out.add(R.bulk(m.bytes()));
            s = s.minus(m);
        }
        if (s.isEmpty()) {
            c.delete(k);
        } else if (n > 0) {
            c.update(k, old, new Entry.SetValue(s));
        }
        return count == null ? out.get(0) : R.set(out);
    }

    private static Reply srandmember(Ctx c, List<ByteString> a) {
        if (a.size() > 3) {
            return R.SYNTAX;
        }
        Long count = null;
        if (a.size() == 3) {
            count = Num.parseLong(a.get(2));
            if (count == null) {
                return R.NOT_INTEGER;
            }
        }
        PSortedMap<Key, ByteString> s = set(c.get(a.get(1)));
        if (s == null) {
            return count == null ? R.NIL : R.EMPTY_ARRAY;
        }
        List<ByteString> all = new ArrayList<>(s.values());
        if (count == null) {
            return R.bulk(all.get(c.random().nextInt(all.size())));
        }
        List<ByteString> out = new ArrayList<>();
        if (count < 0) {
            if (-count > 10_000_000L) {
                return R.error("ERR value is out of range");
            }
            for (long i = 0; i < -count; i++) {
                out.add(all.get(c.random().nextInt(all.size())));
            }
        } else if (count >= all.size()) {
            out.addAll(all);
        } else {
            for (int i = 0; i < count; i++) {
                int j = i + c.random().nextInt(all.size() - i);
                ByteString t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
                out.add(all.get(i));
            }
        }
        return R.bulks(out);
    }

    private static Reply srem(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> s = set(old);
        if (s == null) {
            return R.ZERO;
        }
        long removed = 0;
        for (int i = 2; i < a.size(); i++) {
            Key m = Key.of(a.get(i));
            if (s.containsKey(m)) {
                s = s.minus(m);
                removed++;
            }
        }
        if (s.isEmpty()) {
            c.delete(k);
        } else if (removed > 0) {
            c.update(k, old, new Entry.SetValue(s));
        }
        return R.integer(removed);
    }
}
