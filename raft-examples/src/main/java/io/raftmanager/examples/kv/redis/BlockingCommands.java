package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.CommandTable.none;
import static io.raftmanager.examples.kv.redis.Flag.BLOCKING;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * Pops and moves that may block (t_list.c's and t_zset.c's blocking commands) and XREAD. An entry never
 * waits: applied, a blocking command takes what is there or answers nil at once, which is exactly what
 * it does inside MULTI. Outside MULTI the connection repeats it until it gets data or its timeout passes
 * ({@code resp/Blocking}).
 */
final class BlockingCommands {
    private static final Reply BAD_TIMEOUT = R.error("ERR timeout is not a float or out of range");

    private BlockingCommands() {}

    static void register(CommandTable t) {
        t.add(
                "lmove",
                5,
                "list",
                new int[] {1, 2, 1},
                (c, a) -> move(c, a.get(1), a.get(2), a.get(3), a.get(4)),
                WRITE,
                DENYOOM);
        t.add(
                "rpoplpush",
                3,
                "list",
                new int[] {1, 2, 1},
                (c, a) -> move(c, a.get(1), a.get(2), b("RIGHT"), b("LEFT")),
                WRITE,
                DENYOOM);
        t.add(
                "blmove",
                6,
                "list",
                new int[] {1, 2, 1},
                (c, a) -> timeout(a.get(5)) == null ? BAD_TIMEOUT : move(c, a.get(1), a.get(2), a.get(3), a.get(4)),
                WRITE,
                DENYOOM,
                BLOCKING);
        t.add(
                "brpoplpush",
                4,
                "list",
                new int[] {1, 2, 1},
                (c, a) -> timeout(a.get(3)) == null ? BAD_TIMEOUT : move(c, a.get(1), a.get(2), b("RIGHT"), b("LEFT")),
                WRITE,
                DENYOOM,
                BLOCKING);
        t.add("blpop", -3, "list", new int[] {1, -2, 1}, (c, a) -> popFirst(c, a, true), WRITE, BLOCKING);
        t.add("brpop", -3, "list", new int[] {1, -2, 1}, (c, a) -> popFirst(c, a, false), WRITE, BLOCKING);
        t.add("zpopmin", -2, "sorted-set", key1(), (c, a) -> zpop(c, a, true), WRITE, FAST);
        t.add("zpopmax", -2, "sorted-set", key1(), (c, a) -> zpop(c, a, false), WRITE, FAST);
        t.add("bzpopmin", -3, "sorted-set", new int[] {1, -2, 1}, (c, a) -> bzpop(c, a, true), WRITE, FAST, BLOCKING);
        t.add("bzpopmax", -3, "sorted-set", new int[] {1, -2, 1}, (c, a) -> bzpop(c, a, false), WRITE, FAST, BLOCKING);
        t.add("xread", -4, "stream", none(), BlockingCommands::xread, READONLY);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** A blocking command's timeout in seconds, or null if it is not a non-negative number. */
    static Double timeout(ByteString arg) {
        Double d = Num.parseDouble(arg);
        return d == null || d < 0 || d.isInfinite() ? null : d;
    }

    private static Reply move(Ctx c, ByteString src, ByteString dst, ByteString from, ByteString to) {
        String wf = Num.upper(from);
        String wt = Num.upper(to);
        if (!(wf.equals("LEFT") || wf.equals("RIGHT")) || !(wt.equals("LEFT") || wt.equals("RIGHT"))) {
            return R.SYNTAX;
        }
        Key sk = Key.of(src);
        Key dk = Key.of(dst);
        Entry se = c.get(sk);
        PVector<ByteString> sl = CollectionCommands.list(se);
        Entry de = c.get(dk);
        PVector<ByteString> dl = CollectionCommands.list(de); // WRONGTYPE before anything moves
        if (sl == null) {
            return R.NIL;
        }
        int at = wf.equals("LEFT") ? 0 : sl.size() - 1;
        ByteString v = sl.get(at);
        sl = sl.minus(at);
        if (sl.isEmpty()) {
            c.delete(sk);
        } else {
            c.update(sk, se, new Entry.ListValue(sl));
        }
        if (sk.equals(dk) || src.equals(dst)) {
            de = c.get(dk);
            dl = CollectionCommands.list(de);
        }
        if (dl == null) {
            dl = TreePVector.empty();
        }
        dl = wt.equals("LEFT") ? dl.plus(0, v) : dl.plus(v);
        c.update(dk, de, new Entry.ListValue(dl));
        return R.bulk(v);
    }

    private static Reply popFirst(Ctx c, List<ByteString> a, boolean left) {
        if (timeout(a.get(a.size() - 1)) == null) {
            return BAD_TIMEOUT;
        }
        for (int i = 1; i < a.size() - 1; i++) {
            Key k = Key.of(a.get(i));
            Entry e = c.get(k);
            PVector<ByteString> l = CollectionCommands.list(e);
            if (l == null) {
                continue;
            }
            int at = left ? 0 : l.size() - 1;
            ByteString v = l.get(at);
            l = l.minus(at);
            if (l.isEmpty()) {
                c.delete(k);
            } else {
                c.update(k, e, new Entry.ListValue(l));
            }
            return R.array(List.of(R.bulk(a.get(i)), R.bulk(v)));
        }
        return R.NULL_ARRAY;
    }

    private static Reply zpop(Ctx c, List<ByteString> a, boolean min) {
        long count = 1;
        if (a.size() > 3) {
            return R.SYNTAX;
        }
        if (a.size() == 3) {
            Long n = Num.parseLong(a.get(2));
            if (n == null || n < 0) {
                return R.error("ERR value is out of range, must be positive");
            }
            count = n;
        }
        List<Reply> out = new ArrayList<>();
        popScores(c, a.get(1), min, count, out);
        return R.array(out);
    }

    private static Reply bzpop(Ctx c, List<ByteString> a, boolean min) {
        if (timeout(a.get(a.size() - 1)) == null) {
            return BAD_TIMEOUT;
        }
        for (int i = 1; i < a.size() - 1; i++) {
            List<Reply> out = new ArrayList<>();
            out.add(R.bulk(a.get(i)));
            if (popScores(c, a.get(i), min, 1, out) > 0) {
                return R.array(out);
            }
        }
        return R.NULL_ARRAY;
    }

    /** Pops up to {@code count} lowest (or highest) members, adding member and score to {@code out}. */
    private static int popScores(Ctx c, ByteString key, boolean min, long count, List<Reply> out) {
        Key k = Key.of(key);
        Entry e = c.get(k);
        PSortedMap<Key, Double> z = SortedSetCommands.zset(e);
        if (z == null) {
            return 0;
        }
        int popped = 0;
        while (popped < count && !z.isEmpty()) {
            Map.Entry<Key, Double> best = null;
            for (Map.Entry<Key, Double> m : z.entrySet()) { // members are hash-ordered: find the extreme
                if (best == null || better(m, best, min)) {
                    best = m;
                }
            }
            z = z.minus(best.getKey());
            out.add(R.bulk(best.getKey().bytes()));
            out.add(R.dbl(best.getValue()));
            popped++;
        }
        if (z.isEmpty()) {
            c.delete(k);
        } else {
            c.update(k, e, new Entry.ZSetValue(z));
        }
        return popped;
    }

    private static boolean better(Map.Entry<Key, Double> m, Map.Entry<Key, Double> best, boolean min) {
        int byScore = Double.compare(m.getValue(), best.getValue());
        if (byScore == 0) {
            byScore = ByteString.unsignedLexicographicalComparator()
                    .compare(m.getKey().bytes(), best.getKey().bytes());
        }
        return min ? byScore < 0 : byScore > 0;
    }

    /** XREAD [COUNT n] [BLOCK ms] STREAMS key... id...: never waits ('$' means "nothing yet"). */
    private static Reply xread(Ctx c, List<ByteString> a) {
        long count = Long.MAX_VALUE;
        int i = 1;
        for (; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("COUNT") && i + 1 < a.size()) {
                Long n = Num.parseLong(a.get(++i));
                if (n == null) {
                    return R.NOT_INTEGER;
                }
                count = n <= 0 ? Long.MAX_VALUE : n;
            } else if (o.equals("BLOCK") && i + 1 < a.size()) {
                Long n = Num.parseLong(a.get(++i));
                if (n == null) {
                    return R.error("ERR timeout is not an integer or out of range");
                }
                if (n < 0) {
                    return R.error("ERR timeout is negative");
                }
            } else if (o.equals("STREAMS")) {
                break;
            } else {
                return R.SYNTAX;
            }
        }
        int rest = a.size() - i - 1;
        if (i >= a.size() || rest <= 0 || rest % 2 != 0) {
            return R.error(
                    "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
        }
        int streams = rest / 2;
        List<Reply> out = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            ByteString key = a.get(i + 1 + s);
            String idText = a.get(i + 1 + streams + s).toStringUtf8();
            Entry.StreamValue sv = StreamCommands.stream(c.get(key));
            if (idText.equals("$")) {
                continue;
            }
            Entry.StreamId from = StreamCommands.parseId(a.get(i + 1 + streams + s), 0);
            if (from == null) {
                return R.error("ERR Invalid stream ID specified as stream command argument");
            }
            if (sv == null) {
                continue;
            }
            List<Reply> got = new ArrayList<>();
            for (Map.Entry<Entry.StreamId, PVector<ByteString>> e :
                    sv.entries().tailMap(from, false).entrySet()) {
                if (got.size() >= count) {
                    break;
                }
                got.add(StreamCommands.entry(e.getKey(), e.getValue()));
            }
            if (!got.isEmpty()) {
                out.add(R.array(List.of(R.bulk(key), R.array(got))));
            }
        }
        return out.isEmpty() ? R.NULL_ARRAY : R.array(out);
    }
}
