package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.redis.Entry.StreamGroup;
import io.raftmanager.examples.kv.redis.Entry.StreamId;
import io.raftmanager.examples.kv.redis.Entry.StreamValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePMap;
import org.pcollections.TreePVector;

/**
 * A basic subset of streams: XADD (ids from the entry's leader time), XLEN, XRANGE, XDEL, XGROUP
 * CREATE/SETID/DESTROY, XREADGROUP with {@code >} (no blocking) and XINFO STREAM. Trimming, XACK, XCLAIM,
 * XPENDING and blocking reads are not implemented.
 */
final class StreamCommands {
    private static final String GROUP = "stream";
    private static final StreamId ZERO = new StreamId(0, 0);

    private StreamCommands() {}

    static void register(CommandTable t) {
        t.add("xadd", -5, GROUP, key1(), StreamCommands::xadd, WRITE, DENYOOM, FAST);
        t.add(
                "xlen",
                2,
                GROUP,
                key1(),
                (c, a) -> {
                    StreamValue s = stream(c.get(a.get(1)));
                    return R.integer(s == null ? 0 : s.entries().size());
                },
                READONLY,
                FAST);
        t.add("xrange", -4, GROUP, key1(), StreamCommands::xrange, READONLY);
        t.add("xdel", -3, GROUP, key1(), StreamCommands::xdel, WRITE, FAST);
        t.add("xgroup", -2, GROUP, new int[] {2, 2, 1}, StreamCommands::xgroup, WRITE, DENYOOM);
        t.add("xreadgroup", -7, GROUP, new int[] {0, 0, 0}, StreamCommands::xreadgroup, WRITE);
        t.add("xinfo", -2, GROUP, new int[] {2, 2, 1}, StreamCommands::xinfo, READONLY);
    }

    static StreamValue stream(Entry e) {
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof StreamValue)) {
            throw StringCommands.WrongType.INSTANCE;
        }
        return (StreamValue) e.value();
    }

    /** Parses "ms-seq" or "ms" (sequence {@code defaultSeq}); null if malformed. */
    static StreamId parseId(ByteString b, long defaultSeq) {
        String s = b.toStringUtf8();
        try {
            int dash = s.indexOf('-');
            if (dash < 0) {
                return new StreamId(Long.parseUnsignedLong(s), defaultSeq);
            }
            return new StreamId(
                    Long.parseUnsignedLong(s.substring(0, dash)), Long.parseUnsignedLong(s.substring(dash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final Reply BAD_ID = R.error("ERR Invalid stream ID specified as stream command argument");

    private static Reply xadd(Ctx c, List<ByteString> a) {
        int i = 2;
        boolean noMkStream = false;
        if (Num.upper(a.get(i)).equals("NOMKSTREAM")) {
            noMkStream = true;
            i++;
        }
        if ((a.size() - i - 1) % 2 != 0 || a.size() - i - 1 < 2) {
            return R.wrongArity("xadd");
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        StreamValue s = stream(old);
        if (s == null && noMkStream) {
            return R.NIL;
        }
        StreamId last = s == null ? ZERO : s.lastId();
        String idArg = a.get(i).toStringUtf8();
        StreamId id;
        if (idArg.equals("*")) {
            long ms = Math.max(c.now, last.ms());
            id = ms == last.ms() ? new StreamId(ms, last.seq() + 1) : new StreamId(ms, 0);
        } else if (idArg.endsWith("-*")) {
            StreamId p = parseId(ByteString.copyFromUtf8(idArg.substring(0, idArg.length() - 2)), 0);
            if (p == null) {
                return BAD_ID;
            }
            id = p.ms() == last.ms() && s != null ? new StreamId(p.ms(), last.seq() + 1) : p;
        } else {
            id = parseId(a.get(i), 0);
            if (id == null) {
                return BAD_ID;
            }
            if (id.equals(ZERO)) {
                return R.error("ERR The ID specified in XADD must be greater than 0-0");
            }
        }
        if (id.compareTo(last) <= 0 && !(s == null && id.compareTo(ZERO) > 0)) {
            return R.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        }
        PVector<ByteString> fields = TreePVector.from(a.subList(i + 1, a.size()));
        PSortedMap<StreamId, PVector<ByteString>> entries = s == null ? TreePMap.empty() : s.entries();
        PSortedMap<Key, StreamGroup> groups = s == null ? TreePMap.empty(Key.ORDER) : s.groups();
        c.update(k, old, new StreamValue(entries.plus(id, fields), id, groups));
        return R.bulk(id.toString());
    }

    static Reply entry(StreamId id, PVector<ByteString> fields) {
        return R.array(List.of(R.bulk(id.toString()), R.bulks(fields)));
    }

    private static Reply xrange(Ctx c, List<ByteString> a) {
        StreamId from = a.get(2).toStringUtf8().equals("-") ? ZERO : parseId(a.get(2), 0);
        StreamId to = a.get(3).toStringUtf8().equals("+") ? new StreamId(-1, -1) : parseId(a.get(3), -1);
        if (from == null || to == null) {
            return BAD_ID;
        }
        long count = Long.MAX_VALUE;
        if (a.size() == 6 && Num.upper(a.get(4)).equals("COUNT")) {
            Long n = Num.parseLong(a.get(5));
            if (n == null) {
                return R.NOT_INTEGER;
            }
            count = n;
        } else if (a.size() != 4) {
            return R.SYNTAX;
        }
        StreamValue s = stream(c.get(a.get(1)));
        List<Reply> out = new ArrayList<>();
        if (s != null && from.compareTo(to) <= 0) {
            for (Map.Entry<StreamId, PVector<ByteString>> e :
                    s.entries().subMap(from, true, to, true).entrySet()) {
                if (out.size() >= count) {
                    break;
                }
                out.add(entry(e.getKey(), e.getValue()));
            }
        }
        return R.array(out);
    }

    private static Reply xdel(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        StreamValue s = stream(old);
        List<StreamId> ids = new ArrayList<>();
        for (int i = 2; i < a.size(); i++) {
            StreamId id = parseId(a.get(i), 0);
            if (id == null) {
                return BAD_ID;
            }
            ids.add(id);
        }
        if (s == null) {
            return R.ZERO;
        }
        PSortedMap<StreamId, PVector<ByteString>> entries = s.entries();
        long n = 0;
        for (StreamId id : ids) {
            if (entries.containsKey(id)) {
                entries = entries.minus(id);
                n++;
            }
        }
        if (n > 0) {
            c.update(k, old, new StreamValue(entries, s.lastId(), s.groups()));
        }
        return R.integer(n);
    }

    private static Reply xgroup(Ctx c, List<ByteString> a) {
        String sub = Num.upper(a.get(1));
        if (a.size() < 4) {
            return R.wrongArity("xgroup|" + sub.toLowerCase(java.util.Locale.ROOT));
        }
        Key k = Key.of(a.get(2));
        Entry old = c.get(k);
        StreamValue s = stream(old);
        Key g = Key.of(a.get(3));
        switch (sub) {
            case "CREATE": {
                boolean mk = a.size() > 5 && Num.upper(a.get(5)).equals("MKSTREAM");
                if (a.size() < 5) {
                    return R.wrongArity("xgroup|create");
                }
                if (s == null) {
                    if (!mk) {
                        return R.error(
                                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
                    }
                    s = new StreamValue(TreePMap.empty(), ZERO, TreePMap.empty(Key.ORDER));
                }
                if (s.groups().containsKey(g)) {
                    return R.error("BUSYGROUP Consumer Group name already exists");
                }
                StreamId id = a.get(4).toStringUtf8().equals("$") ? s.lastId() : parseId(a.get(4), 0);
                if (id == null) {
                    return BAD_ID;
                }
                c.update(
                        k,
                        old,
                        new StreamValue(
                                s.entries(),
                                s.lastId(),
                                s.groups().plus(g, new StreamGroup(a.get(3), id, TreePMap.empty()))));
                return R.OK;
            }
            case "SETID": {
                if (a.size() < 5) {
                    return R.wrongArity("xgroup|setid");
                }
                if (s == null || !s.groups().containsKey(g)) {
                    return R.error("NOGROUP No such key '" + a.get(2).toStringUtf8() + "' or consumer group '"
                            + a.get(3).toStringUtf8() + "'");
                }
                StreamId id = a.get(4).toStringUtf8().equals("$") ? s.lastId() : parseId(a.get(4), 0);
                if (id == null) {
                    return BAD_ID;
                }
                StreamGroup grp = s.groups().get(g);
                c.update(
                        k,
                        old,
                        new StreamValue(
                                s.entries(),
                                s.lastId(),
                                s.groups().plus(g, new StreamGroup(grp.name(), id, grp.pending()))));
                return R.OK;
            }
            case "DESTROY": {
                if (s == null || !s.groups().containsKey(g)) {
                    return R.ZERO;
                }
                c.update(
                        k,
                        old,
                        new StreamValue(s.entries(), s.lastId(), s.groups().minus(g)));
                return R.ONE;
            }
            default:
                return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try XGROUP HELP.");
        }
    }

    /** XREADGROUP GROUP g consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... >...: new entries only. */
    private static Reply xreadgroup(Ctx c, List<ByteString> a) {
        if (!Num.upper(a.get(1)).equals("GROUP")) {
            return R.SYNTAX;
        }
        ByteString group = a.get(2);
        ByteString consumer = a.get(3);
        long count = Long.MAX_VALUE;
        boolean noAck = false;
        int i = 4;
        for (; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("COUNT") && i + 1 < a.size()) {
                Long n = Num.parseLong(a.get(++i));
                if (n == null) {
                    return R.NOT_INTEGER;
                }
                count = n <= 0 ? Long.MAX_VALUE : n;
            } else if (o.equals("BLOCK") && i + 1 < a.size()) {
                i++; // raft-kv does not block: a read with nothing new answers at once
            } else if (o.equals("NOACK")) {
                noAck = true;
            } else if (o.equals("STREAMS")) {
                break;
            } else {
                return R.SYNTAX;
            }
        }
        int rest = a.size() - i - 1;
        if (i >= a.size() || rest <= 0 || rest % 2 != 0) {
            return R.error(
                    "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.");
        }
        int streams = rest / 2;
        List<Reply> out = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            ByteString keyBytes = a.get(i + 1 + s);
            if (!a.get(i + 1 + streams + s).toStringUtf8().equals(">")) {
                return R.error("ERR raft-kv's XREADGROUP reads new entries only ('>')");
            }
            Key k = Key.of(keyBytes);
            Entry old = c.get(k);
            StreamValue sv = stream(old);
            Key g = Key.of(group);
            if (sv == null || !sv.groups().containsKey(g)) {
                return R.error("NOGROUP No such key '" + keyBytes.toStringUtf8() + "' or consumer group '"
                        + group.toStringUtf8() + "' in XREADGROUP with GROUP option");
            }
            StreamGroup grp = sv.groups().get(g);
            List<Reply> got = new ArrayList<>();
            StreamId last = grp.lastDelivered();
            PSortedMap<StreamId, ByteString> pending = grp.pending();
            for (Map.Entry<StreamId, PVector<ByteString>> e :
                    sv.entries().tailMap(grp.lastDelivered(), false).entrySet()) {
                if (got.size() >= count) {
                    break;
                }
                got.add(entry(e.getKey(), e.getValue()));
                last = e.getKey();
                if (!noAck) {
                    pending = pending.plus(e.getKey(), consumer);
                }
            }
            if (!got.isEmpty()) {
                c.update(
                        k,
                        old,
                        new StreamValue(
                                sv.entries(),
                                sv.lastId(),
                                sv.groups().plus(g, new StreamGroup(grp.name(), last, pending))));
                out.add(R.bulk(keyBytes));
                out.add(R.array(got));
            }
        }
        if (out.isEmpty()) {
            return R.NULL_ARRAY;
        }
        List<Reply> pairs = new ArrayList<>();
        for (int j = 0; j < out.size(); j += 2) {
            pairs.add(R.array(List.of(out.get(j), out.get(j + 1))));
        }
        return R.array(pairs);
    }

    /** XINFO STREAM key [FULL]: length, ids, entries (FULL) or first and last, and the groups. */
    private static Reply xinfo(Ctx c, List<ByteString> a) {
        if (!Num.upper(a.get(1)).equals("STREAM") || a.size() < 3) {
            return R.error("ERR raft-kv's XINFO supports STREAM key [FULL] only");
        }
        boolean full = a.size() > 3 && Num.upper(a.get(3)).equals("FULL");
        StreamValue s = stream(c.get(a.get(2)));
        if (s == null) {
            return R.NO_SUCH_KEY;
        }
        List<Reply> m = new ArrayList<>();
        m.add(R.bulk("length"));
        m.add(R.integer(s.entries().size()));
        m.add(R.bulk("last-generated-id"));
        m.add(R.bulk(s.lastId().toString()));
        if (full) {
            List<Reply> entries = new ArrayList<>();
            s.entries().forEach((id, f) -> entries.add(entry(id, f)));
            m.add(R.bulk("entries"));
            m.add(R.array(entries));
            List<Reply> groups = new ArrayList<>();
            for (StreamGroup g : s.groups().values()) {
                List<Reply> pel = new ArrayList<>();
                g.pending()
                        .forEach((id, consumer) -> pel.add(R.array(List.of(R.bulk(id.toString()), R.bulk(consumer)))));
                groups.add(R.map(List.of(
                        R.bulk("name"), R.bulk(g.name()),
                        R.bulk("last-delivered-id"), R.bulk(g.lastDelivered().toString()),
                        R.bulk("pel-count"), R.integer(g.pending().size()),
                        R.bulk("pending"), R.array(pel))));
            }
            m.add(R.bulk("groups"));
            m.add(R.array(groups));
        } else {
            m.add(R.bulk("groups"));
            m.add(R.integer(s.groups().size()));
            m.add(R.bulk("first-entry"));
            m.add(
                    s.entries().isEmpty()
                            ? R.NIL
                            : entry(
                                    s.entries().firstKey(),
                                    s.entries().get(s.entries().firstKey())));
            m.add(R.bulk("last-entry"));
            m.add(
                    s.entries().isEmpty()
                            ? R.NIL
                            : entry(
                                    s.entries().lastKey(),
                                    s.entries().get(s.entries().lastKey())));
        }
        return R.map(m);
    }
}
