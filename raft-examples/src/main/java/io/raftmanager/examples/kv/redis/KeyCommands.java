package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.CommandTable.keysFrom1;
import static io.raftmanager.examples.kv.redis.CommandTable.none;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.INTERNAL;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The keyspace and database commands (Redis' db.c), and raft-kv's internal WATCH and reaper commands. */
final class KeyCommands {
    private static final String GROUP = "generic";

    private KeyCommands() {}

    static void register(CommandTable t) {
        t.add("del", -2, GROUP, keysFrom1(), KeyCommands::del, WRITE);
        t.add("unlink", -2, GROUP, keysFrom1(), KeyCommands::del, WRITE, FAST);
        t.add("exists", -2, GROUP, keysFrom1(), KeyCommands::exists, READONLY, FAST);
        t.add("touch", -2, GROUP, keysFrom1(), KeyCommands::exists, READONLY, FAST);
        t.add("type", 2, GROUP, key1(), KeyCommands::type, READONLY, FAST);
        t.add("keys", 2, GROUP, none(), KeyCommands::keys, READONLY);
        t.add("scan", -2, GROUP, none(), KeyCommands::scan, READONLY);
        t.add("randomkey", 1, GROUP, none(), KeyCommands::randomKey, READONLY);
        t.add("rename", 3, GROUP, new int[] {1, 2, 1}, (c, a) -> rename(c, a, false), WRITE);
        t.add("renamenx", 3, GROUP, new int[] {1, 2, 1}, (c, a) -> rename(c, a, true), WRITE, FAST);
        t.add("copy", -3, GROUP, new int[] {1, 2, 1}, KeyCommands::copy, WRITE);
        t.add("move", 3, GROUP, key1(), KeyCommands::move, WRITE, FAST);
        t.add(
                "dbsize",
                1,
                "server",
                none(),
                (c, a) -> R.integer(c.store.db(c.db).size()),
                READONLY,
                FAST);
        t.add("flushdb", -1, "server", none(), KeyCommands::flushDb, WRITE);
        t.add("flushall", -1, "server", none(), KeyCommands::flushAll, WRITE);
        t.add("swapdb", 3, "server", none(), KeyCommands::swapDb, WRITE, FAST);
        t.add("object", -2, GROUP, new int[] {2, 2, 1}, KeyCommands::object, READONLY);
        t.add("dump", 2, GROUP, key1(), KeyCommands::dump, READONLY);
        t.add("restore", -4, GROUP, key1(), KeyCommands::restore, WRITE, Flag.DENYOOM);
        t.add("memory", -2, "server", new int[] {2, 2, 1}, KeyCommands::memory, READONLY);
        t.add("raftkv.versions", -3, "raft-kv", none(), KeyCommands::versions, READONLY, INTERNAL);
        t.add("raftkv.expired", 2, "raft-kv", none(), KeyCommands::expired, READONLY, INTERNAL);
        t.add("raftkv.reap", -3, "raft-kv", none(), KeyCommands::reap, WRITE, INTERNAL);
    }

    private static Reply del(Ctx c, List<ByteString> a) {
        long n = 0;
        for (int i = 1; i < a.size(); i++) {
            if (c.delete(Key.of(a.get(i)))) {
                n++;
            }
        }
        return R.integer(n);
    }

    private static Reply exists(Ctx c, List<ByteString> a) {
        long n = 0;
        for (int i = 1; i < a.size(); i++) {
            if (c.get(a.get(i)) != null) {
                n++;
            }
        }
        return R.integer(n);
    }

    private static Reply type(Ctx c, List<ByteString> a) {
        Entry e = c.get(a.get(1));
        return R.status(e == null ? "none" : e.typeName());
    }

    private static Reply keys(Ctx c, List<ByteString> a) {
        ByteString pattern = a.get(1);
        boolean all = pattern.size() == 1 && pattern.byteAt(0) == '*';
        List<Reply> out = new ArrayList<>();
        for (Map.Entry<Key, Entry> e : c.store.db(c.db)) {
            if (!e.getValue().expiredAt(c.now)
                    && (all || Glob.matches(pattern, e.getKey().bytes()))) {
                out.add(R.bulk(e.getKey().bytes()));
            }
        }
        return R.array(out);
    }

    private static Reply scan(Ctx c, List<ByteString> a) {
        Long cursor = Scan.parseCursor(a.get(1));
        if (cursor == null) {
            return R.error("ERR invalid cursor");
        }
        Scan.Options o = Scan.options(a, 2, true);
        if (o.error() != null) {
            return o.error();
        }
        return Scan.page(
                c.store.db(c.db),
                cursor,
                o,
                e -> !e.getValue().expiredAt(c.now)
                        && (o.type() == null || o.type().equals(e.getValue().typeName())),
                (e, items) -> items.add(R.bulk(e.getKey().bytes())));
    }

    private static Reply randomKey(Ctx c, List<ByteString> a) {
        KeyMap<Entry> db = c.store.db(c.db);
        for (int attempt = 0; attempt < 100 && !db.isEmpty(); attempt++) {
            Map.Entry<Key, Entry> e = db.ceilingOrFirst(c.random().nextLong());
            if (!e.getValue().expiredAt(c.now)) {
                return R.bulk(e.getKey().bytes());
            }
        }
        for (Map.Entry<Key, Entry> e : db) { // mostly expired: look at them all
            if (!e.getValue().expiredAt(c.now)) {
                return R.bulk(e.getKey().bytes());
            }
        }
        return R.NIL;
    }

    private static Reply rename(Ctx c, List<ByteString> a, boolean nx) {
        Key from = Key.of(a.get(1));
        Key to = Key.of(a.get(2));
        Entry e = c.get(from);
        if (e == null) {
            return R.NO_SUCH_KEY;
        }
        if (from.equals(to)) {
            return nx ? R.ZERO : R.OK;
        }
        if (nx && c.get(to) != null) {
            return R.ZERO;
        }
        c.delete(from);
        c.put(to, e.value(), e.expireAt());
        return nx ? R.ONE : R.OK;
    }

    private static Reply copy(Ctx c, List<ByteString> a) {
        int target = c.db;
        boolean replace = false;
        for (int i = 3; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("REPLACE")) {
                replace = true;
            } else if (o.equals("DB") && i + 1 < a.size()) {
                Long d = Num.parseLong(a.get(++i));
                if (d == null) {
                    return R.NOT_INTEGER;
                }
                if (d < 0 || d >= c.store.databases()) {
                    return R.DB_RANGE;
                }
                target = d.intValue();
            } else {
                return R.SYNTAX;
            }
        }
        Key from = Key.of(a.get(1));
        Key to = Key.of(a.get(2));
        if (target == c.db && from.equals(to)) {
            return R.error("ERR source and destination objects are the same");
        }
        Entry e = c.get(from);
        if (e == null) {
            return R.ZERO;
        }
        int source = c.db;
        c.db = target;
        try {
            if (c.get(to) != null) {
                if (!replace) {
                    return R.ZERO;
                }
                c.delete(to);
            }
            c.put(to, e.value(), e.expireAt()); // values are immutable, so sharing them is a copy
        } finally {
            c.db = source;
        }
        return R.ONE;
    }

    private static Reply move(Ctx c, List<ByteString> a) {
        Long d = Num.parseLong(a.get(2));
        if (d == null) {
            return R.NOT_INTEGER;
        }
        if (d < 0 || d >= c.store.databases()) {
            return R.DB_RANGE;
        }
        int target = d.intValue();
        if (target == c.db) {
            return R.error("ERR source and destination objects are the same");
        }
        Key k = Key.of(a.get(1));
        Entry e = c.get(k);
        if (e == null) {
            return R.ZERO;
        }
        int source = c.db;
        c.db = target;
        try {
            if (c.get(k) != null) {
                return R.ZERO;
            }
            c.put(k, e.value(), e.expireAt());
        } finally {
            c.db = source;
        }
        c.delete(k);
        return R.ONE;
    }

    private static Reply flushArgs(List<ByteString> a) {
        if (a.size() > 2) {
            return R.SYNTAX;
        }
        if (a.size() == 2) {
            String o = Num.upper(a.get(1));
            if (!o.equals("ASYNC") && !o.equals("SYNC")) {
                return R.SYNTAX;
            }
        }
        return null;
    }

    private static Reply flushDb(Ctx c, List<ByteString> a) {
        Reply err = flushArgs(a);
        if (err != null) {
            return err;
        }
        c.store.flush(c.db);
        return R.OK;
    }

    private static Reply flushAll(Ctx c, List<ByteString> a) {
        Reply err = flushArgs(a);
        if (err != null) {
            return err;
        }
        for (int i = 0; i < c.store.databases(); i++) {
            c.store.flush(i);
        }
        return R.OK;
    }

    private static Reply swapDb(Ctx c, List<ByteString> a) {
        Long x = Num.parseLong(a.get(1));
        if (x == null) {
            return R.error("ERR invalid first DB index");
        }
        Long y = Num.parseLong(a.get(2));
        if (y == null) {
            return R.error("ERR invalid second DB index");
        }
        if (x < 0 || x >= c.store.databases() || y < 0 || y >= c.store.databases()) {
            return R.DB_RANGE;
        }
        c.store.swap(x.intValue(), y.intValue());
        return R.OK;
    }

    /**
     * OBJECT ENCODING reports the encoding Redis would choose for the value (raft-kv has one representation
     * per type); the connection appends the node's hash-max-listpack-entries and -value settings.
     */
    private static Reply object(Ctx c, List<ByteString> a) {
        String sub = Num.upper(a.get(1));
        if (sub.equals("HELP")) {
            return R.bulks(List.of(ByteString.copyFromUtf8("OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ <key>")));
        }
        if (a.size() < 3) {
            return R.wrongArity("object|" + sub.toLowerCase(java.util.Locale.ROOT));
        }
        Entry e = c.get(a.get(2));
        switch (sub) {
            case "ENCODING":
                if (e == null) {
                    return R.NIL;
                }
                long maxEntries = a.size() > 3 ? parseOr(a.get(3), 128) : 128;
                long maxValue = a.size() > 4 ? parseOr(a.get(4), 64) : 64;
                long zEntries = a.size() > 5 ? parseOr(a.get(5), 128) : 128;
                long zValue = a.size() > 6 ? parseOr(a.get(6), 64) : 64;
                return R.bulk(encoding(e.value(), maxEntries, maxValue, zEntries, zValue));
            case "REFCOUNT":
                return e == null ? R.NIL : R.ONE;
            case "IDLETIME":
                return e == null ? R.NIL : R.ZERO;
            case "FREQ":
                return e == null
                        ? R.NIL
                        : R.error(
                                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            default:
                return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try OBJECT HELP.");
        }
    }

    /** DUMP's trailer: a format marker and version, then a CRC32C of everything before it. */
    private static final int DUMP_MAGIC = 0x524b4431; // "RKD1"

    /**
     * DUMP: raft-kv's own serialization of the value (not Redis' RDB format: a dump moves between
     * raft-kv nodes, not between raft-kv and Redis), with a version marker and a checksum.
     */
    private static Reply dump(Ctx c, List<ByteString> a) {
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.NIL;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream d = new java.io.DataOutputStream(bytes)) {
            ValueCodec.write(d, new Entry(e.value(), 0, 0));
            d.writeInt(DUMP_MAGIC);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(bytes.toByteArray());
            d.writeLong(crc.getValue());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return R.bulk(ByteString.copyFrom(bytes.toByteArray()));
    }

    private static Reply restore(Ctx c, List<ByteString> a) {
        Long ttl = Num.parseLong(a.get(2));
        if (ttl == null) {
            return R.NOT_INTEGER;
        }
        boolean replace = false;
        boolean absolute = false;
        for (int i = 4; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("REPLACE")) {
                replace = true;
            } else if (o.equals("ABSTTL")) {
                absolute = true;
            } else if ((o.equals("IDLETIME") || o.equals("FREQ")) && i + 1 < a.size()) {
                if (Num.parseLong(a.get(++i)) == null) {
                    return R.NOT_INTEGER;
                }
            } else {
                return R.SYNTAX;
            }
        }
        if (ttl < 0) {
            return R.error("ERR Invalid TTL value, must be >= 0");
        }
        Key k = Key.of(a.get(1));
        if (!replace && c.get(k) != null) {
            return R.error("BUSYKEY Target key name already exists.");
        }
        byte[] payload = a.get(3).toByteArray();
        Entry e = null;
        if (payload.length > 12) {
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.wrap(payload, payload.length - 12, 12);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(payload, 0, payload.length - 8);
            if (tail.getInt() == DUMP_MAGIC && tail.getLong() == crc.getValue()) {
                try {
                    e = ValueCodec.read(new java.io.DataInputStream(
                            new java.io.ByteArrayInputStream(payload, 0, payload.length - 12)));
                } catch (java.io.IOException ex) {
                    e = null;
                }
            }
        }
        if (e == null) {
            return R.error("ERR DUMP payload version or checksum are wrong");
        }
        long expireAt = ttl == 0 ? 0 : absolute ? ttl : StringCommands.absolute(c.now, ttl, "PX");
        c.delete(k);
        if (expireAt != 0 && expireAt <= c.now) {
            return R.OK; // already expired: as if restored and expired at once
        }
        c.put(k, e.value(), expireAt);
        return R.OK;
    }

    /** MEMORY USAGE: an estimate of the bytes the key and its value hold (payload plus per-item overhead). */
    private static Reply memory(Ctx c, List<ByteString> a) {
        if (!Num.upper(a.get(1)).equals("USAGE")) {
            return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try MEMORY HELP.");
        }
        if (a.size() < 3) {
            return R.wrongArity("memory|usage");
        }
        Entry e = c.get(a.get(2));
        if (e == null) {
            return R.NIL;
        }
        long bytes = 48 + a.get(2).size();
        Object v = e.value();
        if (v instanceof ByteString) {
            bytes += ((ByteString) v).size();
        } else if (v instanceof Entry.HashValue) {
            for (Map.Entry<Key, ByteString> f : ((Entry.HashValue) v).fields().entrySet()) {
                bytes += 64 + f.getKey().bytes().size() + f.getValue().size();
            }
        } else if (v instanceof Entry.ListValue) {
            for (ByteString item : ((Entry.ListValue) v).items()) {
                bytes += 32 + item.size();
            }
        } else if (v instanceof Entry.SetValue) {
            for (ByteString m : ((Entry.SetValue) v).members().values()) {
                bytes += 64 + m.size();
            }
        } else if (v instanceof Entry.ZSetValue) {
            for (Key m : ((Entry.ZSetValue) v).scores().keySet()) {
                bytes += 72 + m.bytes().size();
            }
        } else {
            for (var fields : ((Entry.StreamValue) v).entries().values()) {
                bytes += 48;
                for (ByteString f : fields) {
                    bytes += 16 + f.size();
                }
            }
        }
        return R.integer(bytes);
    }

    private static long parseOr(ByteString b, long fallback) {
        Long v = Num.parseLong(b);
        return v == null ? fallback : v;
    }

    private static String encoding(Object v, long maxEntries, long maxValue, long maxZsetEntries, long maxZsetValue) {
        if (v instanceof ByteString) {
            ByteString s = (ByteString) v;
            if (s.size() <= 20 && Num.parseLong(s) != null) {
                return "int";
            }
            return s.size() <= 44 ? "embstr" : "raw";
        }
        if (v instanceof Entry.HashValue) {
            var fields = ((Entry.HashValue) v).fields();
            if (fields.size() > maxEntries) {
                return "hashtable";
            }
            for (Map.Entry<Key, ByteString> f : fields.entrySet()) {
                if (f.getKey().bytes().size() > maxValue || f.getValue().size() > maxValue) {
                    return "hashtable";
                }
            }
            return "listpack";
        }
        if (v instanceof Entry.ListValue) {
            return "quicklist";
        }
        if (v instanceof Entry.ZSetValue) {
            var scores = ((Entry.ZSetValue) v).scores();
            long zEntries = maxZsetEntries;
            boolean small = scores.size() <= zEntries;
            for (Key m : scores.keySet()) {
                small &= m.bytes().size() <= maxZsetValue;
            }
            return small ? "listpack" : "skiplist";
        }
        if (v instanceof Entry.StreamValue) {
            return "stream";
        }
        var members = ((Entry.SetValue) v).members();
        if (members.size() <= 512) {
            boolean ints = true;
            for (ByteString m : members.values()) {
                ints &= Num.parseLong(m) != null;
            }
            if (ints) {
                return "intset";
            }
        }
        return "hashtable";
    }

    /** RAFTKV.VERSIONS db key [db key ...]: each key's version at the read (WATCH). */
    private static Reply versions(Ctx c, List<ByteString> a) {
        if (a.size() % 2 == 0) {
            return R.SYNTAX;
        }
        List<Reply> out = new ArrayList<>();
        for (int i = 1; i < a.size(); i += 2) {
            Long db = Num.parseLong(a.get(i));
            if (db == null || db < 0 || db >= c.store.databases()) {
                return R.DB_RANGE;
            }
            out.add(R.integer(c.store.version(db.intValue(), Key.of(a.get(i + 1)), c.now)));
        }
        return R.array(out);
    }

    /** RAFTKV.EXPIRED limit: up to limit (db, key) pairs of keys expired at the read's time. */
    private static Reply expired(Ctx c, List<ByteString> a) {
        Long limit = Num.parseLong(a.get(1));
        if (limit == null || limit < 1) {
            return R.NOT_INTEGER;
        }
        List<Reply> out = new ArrayList<>();
        for (int db = 0; db < c.store.databases() && out.size() < 2 * limit; db++) {
            for (ByteString k : c.store.expired(db, c.now, (int) (limit - out.size() / 2))) {
                out.add(R.integer(db));
                out.add(R.bulk(k));
            }
        }
        return R.array(out);
    }

    /** RAFTKV.REAP db key [db key ...]: deletes those keys that are expired at the entry's time. */
    private static Reply reap(Ctx c, List<ByteString> a) {
        if (a.size() % 2 == 0) {
            return R.SYNTAX;
        }
        long n = 0;
        for (int i = 1; i < a.size(); i += 2) {
            Long db = Num.parseLong(a.get(i));
            if (db == null || db < 0 || db >= c.store.databases()) {
                continue;
            }
            Key k = Key.of(a.get(i + 1));
            Entry e = c.store.raw(db.intValue(), k);
            if (e != null && e.expiredAt(c.now)) {
                c.store.remove(db.intValue(), k);
                n++;
            }
        }
        return R.integer(n);
    }
}
