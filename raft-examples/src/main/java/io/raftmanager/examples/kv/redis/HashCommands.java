package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.ReplyList;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/** The hash commands of Redis 7.0 (t_hash.c). */
final class HashCommands {
    private static final String GROUP = "hash";

    private HashCommands() {}

    static void register(CommandTable t) {
        t.add("hset", -4, GROUP, key1(), (c, a) -> hset(c, a, false), WRITE, DENYOOM, FAST);
        t.add("hmset", -4, GROUP, key1(), (c, a) -> hset(c, a, true), WRITE, DENYOOM, FAST);
        t.add("hsetnx", 4, GROUP, key1(), HashCommands::hsetnx, WRITE, DENYOOM, FAST);
        t.add("hget", 3, GROUP, key1(), HashCommands::hget, READONLY, FAST);
        t.add("hmget", -3, GROUP, key1(), HashCommands::hmget, READONLY, FAST);
        t.add("hdel", -3, GROUP, key1(), HashCommands::hdel, WRITE, FAST);
        t.add("hlen", 2, GROUP, key1(), (c, a) -> withHash(c, a, h -> R.integer(h.size()), R.ZERO), READONLY, FAST);
        t.add("hstrlen", 3, GROUP, key1(), HashCommands::hstrlen, READONLY, FAST);
        t.add("hexists", 3, GROUP, key1(), HashCommands::hexists, READONLY, FAST);
        t.add("hkeys", 2, GROUP, key1(), (c, a) -> withHash(c, a, h -> all(h, true, false), R.EMPTY_ARRAY), READONLY);
        t.add("hvals", 2, GROUP, key1(), (c, a) -> withHash(c, a, h -> all(h, false, true), R.EMPTY_ARRAY), READONLY);
        t.add("hgetall", 2, GROUP, key1(), HashCommands::hgetall, READONLY);
        t.add("hincrby", 4, GROUP, key1(), HashCommands::hincrby, WRITE, DENYOOM, FAST);
        t.add("hincrbyfloat", 4, GROUP, key1(), HashCommands::hincrbyfloat, WRITE, DENYOOM, FAST);
        t.add("hrandfield", -2, GROUP, key1(), HashCommands::hrandfield, READONLY);
        t.add("hscan", -3, GROUP, key1(), HashCommands::hscan, READONLY);
    }

    /** The hash's fields at {@code key}, null if missing; throws WrongType for another type. */
    private static PSortedMap<Key, ByteString> hash(Ctx c, Entry e) {
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Entry.HashValue)) {
            throw StringCommands.WrongType.INSTANCE;
        }
        return ((Entry.HashValue) e.value()).fields();
    }

    private static Reply withHash(
            Ctx c, List<ByteString> a, java.util.function.Function<PSortedMap<Key, ByteString>, Reply> f, Reply none) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        return h == null ? none : f.apply(h);
    }

    private static void store(Ctx c, Key k, Entry old, PSortedMap<Key, ByteString> fields) {
        if (fields.isEmpty()) {
            c.delete(k);
        } else {
            c.update(k, old, new Entry.HashValue(fields));
        }
    }

    private static Reply hset(Ctx c, List<ByteString> a, boolean hmset) {
        if (a.size() % 2 != 0) {
            return R.wrongArity(hmset ? "hmset" : "hset");
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> h = hash(c, old);
        if (h == null) {
            h = TreePMap.empty(Key.ORDER);
        }
        long added = 0;
        for (int i = 2; i < a.size(); i += 2) {
            Key f = Key.of(a.get(i));
            if (!h.containsKey(f)) {
                added++;
            }
            h = h.plus(f, a.get(i + 1));
        }
        store(c, k, old, h);
        return hmset ? R.OK : R.integer(added);
    }

    private static Reply hsetnx(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> h = hash(c, old);
        if (h == null) {
            h = TreePMap.empty(Key.ORDER);
        }
        Key f = Key.of(a.get(2));
        if (h.containsKey(f)) {
            return R.ZERO;
        }
        store(c, k, old, h.plus(f, a.get(3)));
        return R.ONE;
    }

    private static Reply hget(Ctx c, List<ByteString> a) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        return h == null ? R.NIL : R.bulk(h.get(Key.of(a.get(2))));
    }

    private static Reply hmget(Ctx c, List<ByteString> a) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < a.size(); i++) {
            out.add(h == null ? R.NIL : R.bulk(h.get(Key.of(a.get(i)))));
        }
        return R.array(out);
    }

    private static Reply hdel(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> h = hash(c, old);
        if (h == null) {
            return R.ZERO;
        }
        long n = 0;
        for (int i = 2; i < a.size(); i++) {
            Key f = Key.of(a.get(i));
            if (h.containsKey(f)) {
                h = h.minus(f);
                n++;
            }
        }
        if (n > 0) {
            store(c, k, old, h);
        }
        return R.integer(n);
    }

    private static Reply hstrlen(Ctx c, List<ByteString> a) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        ByteString v = h == null ? null : h.get(Key.of(a.get(2)));
        return R.integer(v == null ? 0 : v.size());
    }

    private static Reply hexists(Ctx c, List<ByteString> a) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        return R.bool(h != null && h.containsKey(Key.of(a.get(2))));
    }

    private static Reply all(PSortedMap<Key, ByteString> h, boolean keys, boolean values) {
        List<Reply> out = new ArrayList<>();
        for (Map.Entry<Key, ByteString> e : h.entrySet()) {
            if (keys) {
                out.add(R.bulk(e.getKey().bytes()));
            }
            if (values) {
                out.add(R.bulk(e.getValue()));
            }
        }
        return R.array(out);
    }

    private static Reply hgetall(Ctx c, List<ByteString> a) {
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        if (h == null) {
            return R.map(List.of());
        }
        return R.map(all(h, true, true).getArray().getItemsList());
    }

    private static Reply hincrby(Ctx c, List<ByteString> a) {
        Long d = Num.parseLong(a.get(3));
        if (d == null) {
            return R.NOT_INTEGER;
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> h = hash(c, old);
        if (h == null) {
            h = TreePMap.empty(Key.ORDER);
        }
        Key f = Key.of(a.get(2));
        long base = 0;
        ByteString cur = h.get(f);
        if (cur != null) {
            Long v = Num.parseLong(cur);
            if (v == null) {
                return R.error("ERR hash value is not an integer");
            }
            base = v;
        }
        long next;
        try {
            next = Math.addExact(base, d);
        } catch (ArithmeticException e) {
            return R.error("ERR increment or decrement would overflow");
        }
        store(c, k, old, h.plus(f, ByteString.copyFromUtf8(Long.toString(next))));
        return R.integer(next);
    }

    private static Reply hincrbyfloat(Ctx c, List<ByteString> a) {
        BigDecimal d = Num.parseDecimal(a.get(3));
        if (d == null) {
            return Num.special(a.get(3).toStringUtf8()) != null ? R.error("ERR value is NaN or Infinity") : R.NOT_FLOAT;
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, ByteString> h = hash(c, old);
        if (h == null) {
            h = TreePMap.empty(Key.ORDER);
        }
        Key f = Key.of(a.get(2));
        BigDecimal base = BigDecimal.ZERO;
        ByteString cur = h.get(f);
        if (cur != null) {
            base = Num.parseDecimal(cur);
            if (base == null) {
                return R.error("ERR hash value is not a float");
            }
        }
        BigDecimal next = StringCommands.addFloat(base, d);
        if (Num.tooLarge(next)) {
            return R.error("ERR increment would produce NaN or Infinity");
        }
        ByteString out = ByteString.copyFromUtf8(Num.format(next));
        store(c, k, old, h.plus(f, out));
        return R.bulk(out);
    }

    private static Reply hrandfield(Ctx c, List<ByteString> a) {
        if (a.size() > 4 || (a.size() == 4 && !Num.upper(a.get(3)).equals("WITHVALUES"))) {
            return R.SYNTAX;
        }
        Long count = null;
        if (a.size() >= 3) {
            count = Num.parseLong(a.get(2));
            if (count == null) {
                return R.NOT_INTEGER;
            }
        }
        boolean withValues = a.size() == 4;
        if (count != null && count == Long.MIN_VALUE) {
            return R.error("ERR value is out of range");
        }
        if (count != null && withValues && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            return R.error("ERR value is out of range");
        }
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        if (h == null) {
            return count == null ? R.NIL : R.EMPTY_ARRAY;
        }
        List<Map.Entry<Key, ByteString>> all = new ArrayList<>(h.entrySet()); // uniform picks need indexes
        if (count == null) {
            return R.bulk(all.get(c.random().nextInt(all.size())).getKey().bytes());
        }
        if (count == 0) {
            return R.EMPTY_ARRAY;
        }
        List<Map.Entry<Key, ByteString>> chosen = new ArrayList<>();
        if (count < 0) {
            if (-count > 10_000_000L) {
                return R.error("ERR value is out of range");
            }
            for (long i = 0; i < -count; i++) {
                chosen.add(all.get(c.random().nextInt(all.size())));
            }
        } else if (count >= h.size()) {
            chosen.addAll(all);
        } else {
            // Distinct fields: a partial Fisher-Yates shuffle over the entries.
            for (int i = 0; i < count; i++) {
                int j = i + c.random().nextInt(all.size() - i);
                Map.Entry<Key, ByteString> t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
                chosen.add(all.get(i));
            }
        }
        ReplyList.Builder out = ReplyList.newBuilder().setPairs(withValues);
        for (Map.Entry<Key, ByteString> e : chosen) {
            out.addItems(R.bulk(e.getKey().bytes()));
            if (withValues) {
                out.addItems(R.bulk(e.getValue()));
            }
        }
        return Reply.newBuilder().setArray(out).build();
    }

    private static Reply hscan(Ctx c, List<ByteString> a) {
        Long cursor = Scan.parseCursor(a.get(2));
        if (cursor == null) {
            return R.error("ERR invalid cursor");
        }
        Scan.Options o = Scan.options(a, 3, false);
        if (o.error() != null) {
            return o.error();
        }
        PSortedMap<Key, ByteString> h = hash(c, c.get(a.get(1)));
        if (h == null) {
            return R.array(List.of(R.bulk("0"), R.EMPTY_ARRAY));
        }
        return Scan.page(h, cursor, o, e -> true, (e, items) -> {
            items.add(R.bulk(e.getKey().bytes()));
            items.add(R.bulk(e.getValue()));
        });
    }
}
