package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.ReplyList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/** A basic subset of sorted sets (ZADD, ZREM, ZCARD, ZSCORE, ZRANGE by rank); the full family is not implemented. */
final class SortedSetCommands {
    private static final String GROUP = "sorted-set";

    private SortedSetCommands() {}

    static void register(CommandTable t) {
        t.add("zadd", -4, GROUP, key1(), SortedSetCommands::zadd, WRITE, DENYOOM, FAST);
        t.add("zrem", -3, GROUP, key1(), SortedSetCommands::zrem, WRITE, FAST);
        t.add(
                "zcard",
                2,
                GROUP,
                key1(),
                (c, a) -> {
                    PSortedMap<Key, Double> z = zset(c.get(a.get(1)));
                    return R.integer(z == null ? 0 : z.size());
                },
                READONLY,
                FAST);
        t.add(
                "zscore",
                3,
                GROUP,
                key1(),
                (c, a) -> {
                    PSortedMap<Key, Double> z = zset(c.get(a.get(1)));
                    Double s = z == null ? null : z.get(Key.of(a.get(2)));
                    return s == null ? R.NIL : R.dbl(s);
                },
                READONLY,
                FAST);
        t.add("zrange", -4, GROUP, key1(), SortedSetCommands::zrange, READONLY);
    }

    static PSortedMap<Key, Double> zset(Entry e) {
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof Entry.ZSetValue)) {
            throw StringCommands.WrongType.INSTANCE;
        }
        return ((Entry.ZSetValue) e.value()).scores();
    }

    private static Reply zadd(Ctx c, List<ByteString> a) {
        int i = 2;
        boolean nx = false;
        boolean xx = false;
        boolean ch = false;
        for (; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("NX")) {
                nx = true;
            } else if (o.equals("XX")) {
                xx = true;
            } else if (o.equals("CH")) {
                ch = true;
            } else {
                break;
            }
        }
        if ((a.size() - i) % 2 != 0 || a.size() == i) {
            return R.SYNTAX;
        }
        if (nx && xx) {
            return R.error("ERR XX and NX options at the same time are not compatible");
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, Double> z = zset(old);
        if (z == null) {
            z = TreePMap.empty(Key.ORDER);
        }
        List<Double> scores = new ArrayList<>();
        for (int j = i; j < a.size(); j += 2) {
            Double s = Num.parseDouble(a.get(j));
            if (s == null) {
                return R.error("ERR value is not a valid float");
            }
            scores.add(s);
        }
        long added = 0;
        long changed = 0;
        for (int j = i, n = 0; j < a.size(); j += 2, n++) {
            Key m = Key.of(a.get(j + 1));
            Double was = z.get(m);
            if ((nx && was != null) || (xx && was == null)) {
                continue;
            }
            if (was == null) {
                added++;
            } else if (!was.equals(scores.get(n))) {
                changed++;
            }
            z = z.plus(m, scores.get(n));
        }
        if (!z.isEmpty()) {
            c.update(k, old, new Entry.ZSetValue(z));
        }
        return R.integer(ch ? added + changed : added);
    }

    private static Reply zrem(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        PSortedMap<Key, Double> z = zset(old);
        if (z == null) {
            return R.ZERO;
        }
        long n = 0;
        for (int i = 2; i < a.size(); i++) {
            Key m = Key.of(a.get(i));
            if (z.containsKey(m)) {
                z = z.minus(m);
                n++;
            }
        }
        if (z.isEmpty()) {
            c.delete(k);
        } else if (n > 0) {
            c.update(k, old, new Entry.ZSetValue(z));
        }
        return R.integer(n);
    }

    /** ZRANGE key start stop [WITHSCORES], by rank (score, then member bytes). */
    private static Reply zrange(Ctx c, List<ByteString> a) {
        boolean withScores = false;
        for (int i = 4; i < a.size(); i++) {
            if (Num.upper(a.get(i)).equals("WITHSCORES")) {
                withScores = true;
            } else {
                return R.error("ERR raft-kv's ZRANGE supports ranks with WITHSCORES only");
            }
        }
        Long start = Num.parseLong(a.get(2));
        Long stop = Num.parseLong(a.get(3));
        if (start == null || stop == null) {
            return R.NOT_INTEGER;
        }
        PSortedMap<Key, Double> z = zset(c.get(a.get(1)));
        if (z == null) {
            return R.EMPTY_ARRAY;
        }
        List<Map.Entry<Key, Double>> ordered = new ArrayList<>(z.entrySet());
        ordered.sort((x, y) -> {
            int cmp = Double.compare(x.getValue(), y.getValue());
            return cmp != 0
                    ? cmp
                    : ByteString.unsignedLexicographicalComparator()
                            .compare(x.getKey().bytes(), y.getKey().bytes());
        });
        long n = ordered.size();
        long from = start < 0 ? Math.max(0, n + start) : start;
        long to = stop < 0 ? n + stop : Math.min(stop, n - 1);
        ReplyList.Builder out = ReplyList.newBuilder().setPairs(withScores);
        for (long i = from; i <= to && i < n; i++) {
            out.addItems(R.bulk(ordered.get((int) i).getKey().bytes()));
            if (withScores) {
                out.addItems(R.dbl(ordered.get((int) i).getValue()));
            }
        }
        return Reply.newBuilder().setArray(out).build();
    }
}
