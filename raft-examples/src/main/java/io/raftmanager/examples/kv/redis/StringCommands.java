package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.CommandTable.keysFrom1;
import static io.raftmanager.examples.kv.redis.Flag.DENYOOM;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/** The string commands (Redis' t_string.c), plus raft-kv's CAS. */
final class StringCommands {
    /** The longest string a command may build (Redis allows 512 MB; every replica would hold it). */
    static final long MAX_STRING = 64L << 20;

    private static final Reply TOO_BIG = R.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    private static final String GROUP = "string";

    private StringCommands() {}

    static void register(CommandTable t) {
        t.add("get", 2, GROUP, key1(), StringCommands::get, READONLY, FAST);
        t.add("set", -3, GROUP, key1(), StringCommands::set, WRITE, DENYOOM);
        t.add("setnx", 3, GROUP, key1(), (c, a) -> setPlain(c, a.get(1), a.get(2), true), WRITE, DENYOOM, FAST);
        t.add("setex", 4, GROUP, key1(), (c, a) -> setEx(c, a, 1000), WRITE, DENYOOM);
        t.add("psetex", 4, GROUP, key1(), (c, a) -> setEx(c, a, 1), WRITE, DENYOOM);
        t.add("getset", 3, GROUP, key1(), StringCommands::getSet, WRITE, DENYOOM, FAST);
        t.add("getdel", 2, GROUP, key1(), StringCommands::getDel, WRITE, FAST);
        t.add("getex", -2, GROUP, key1(), StringCommands::getEx, WRITE, FAST);
        t.add("append", 3, GROUP, key1(), StringCommands::append, WRITE, DENYOOM, FAST);
        t.add("strlen", 2, GROUP, key1(), StringCommands::strlen, READONLY, FAST);
        t.add("getrange", 4, GROUP, key1(), StringCommands::getRange, READONLY);
        t.add("substr", 4, GROUP, key1(), StringCommands::getRange, READONLY);
        t.add("setrange", 4, GROUP, key1(), StringCommands::setRange, WRITE, DENYOOM);
        t.add("incr", 2, GROUP, key1(), (c, a) -> incrBy(c, a.get(1), 1), WRITE, DENYOOM, FAST);
        t.add("decr", 2, GROUP, key1(), (c, a) -> incrBy(c, a.get(1), -1), WRITE, DENYOOM, FAST);
        t.add("incrby", 3, GROUP, key1(), (c, a) -> incrByArg(c, a, false), WRITE, DENYOOM, FAST);
        t.add("decrby", 3, GROUP, key1(), (c, a) -> incrByArg(c, a, true), WRITE, DENYOOM, FAST);
        t.add("incrbyfloat", 3, GROUP, key1(), StringCommands::incrByFloat, WRITE, DENYOOM, FAST);
        t.add("mget", -2, GROUP, keysFrom1(), StringCommands::mget, READONLY, FAST);
        t.add("mset", -3, GROUP, new int[] {1, -1, 2}, (c, a) -> mset(c, a, false), WRITE, DENYOOM);
        t.add("msetnx", -3, GROUP, new int[] {1, -1, 2}, (c, a) -> mset(c, a, true), WRITE, DENYOOM);
        t.add("lcs", -3, GROUP, new int[] {1, 2, 1}, StringCommands::lcs, READONLY);
        t.add("setbit", 4, "bitmap", key1(), StringCommands::setBit, WRITE, DENYOOM);
        t.add("getbit", 3, "bitmap", key1(), StringCommands::getBit, READONLY, FAST);
        t.add("cas", 4, GROUP, key1(), StringCommands::cas, WRITE, DENYOOM);
    }

    /** The string at {@code key}: null if missing; throws {@link WrongType} for another type. */
    static ByteString string(Ctx c, ByteString key) {
        Entry e = c.get(key);
        if (e == null) {
            return null;
        }
        if (!(e.value() instanceof ByteString)) {
            throw WrongType.INSTANCE;
        }
        return (ByteString) e.value();
    }

    /** Thrown to answer WRONGTYPE from deep inside a command (caught by {@link #guard}). */
    static final class WrongType extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final WrongType INSTANCE = new WrongType();

        private WrongType() {
            super("WRONGTYPE", null, false, false);
        }
    }

    private static Reply get(Ctx c, List<ByteString> a) {
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.NIL;
        }
        return e.value() instanceof ByteString ? R.bulk((ByteString) e.value()) : R.WRONGTYPE;
    }

    /** SET's and GETEX's expiry options, parsed as Redis does. */
    static final class ExpiryArgs {
        boolean nx;
        boolean xx;
        boolean get;
        boolean keepTtl;
        boolean persist;
        /** Absolute expiry in milliseconds, 0 for none. */
        long when;

        boolean hasExpire;
        Reply error;
    }

    /** Parses options from {@code from}; {@code set} allows NX/XX/GET/KEEPTTL, otherwise PERSIST. */
    static ExpiryArgs parseExpiry(Ctx c, List<ByteString> a, int from, boolean set, String command) {
        ExpiryArgs x = new ExpiryArgs();
        String unit = null;
        for (int i = from; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            boolean next = i + 1 < a.size();
            if (set && o.equals("NX") && !x.xx) {
                x.nx = true;
            } else if (set && o.equals("XX") && !x.nx) {
                x.xx = true;
            } else if (set && o.equals("GET")) {
                x.get = true;
            } else if (set && o.equals("KEEPTTL") && unit == null) {
                x.keepTtl = true;
            } else if (!set && o.equals("PERSIST") && unit == null) {
                x.persist = true;
            } else if ((o.equals("EX") || o.equals("PX") || o.equals("EXAT") || o.equals("PXAT"))
                    && unit == null
                    && !x.keepTtl
                    && !x.persist
                    && next) {
                unit = o;
                Long v = Num.parseLong(a.get(++i));
                if (v == null) {
                    x.error = R.NOT_INTEGER;
                    return x;
                }
                long when = absolute(c.now, v, unit);
                if (v <= 0 || when == Long.MIN_VALUE) {
                    x.error = invalidExpire(command);
                    return x;
                }
                x.when = when;
                x.hasExpire = true;
            } else {
                x.error = R.SYNTAX;
                return x;
            }
        }
        return x;
    }

    /** The absolute time in ms for a relative or absolute value in {@code unit}; MIN_VALUE on overflow. */
    static long absolute(long now, long v, String unit) {
        try {
            switch (unit) {
                case "EX":
                    return Math.addExact(now, Math.multiplyExact(v, 1000L));
                case "PX":
                    return Math.addExact(now, v);
                case "EXAT":
                    return Math.multiplyExact(v, 1000L);
                default:
                    return v;
            }
        } catch (ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }

    static Reply invalidExpire(String command) {
        return R.error("ERR invalid expire time in '" + command + "' command");
    }

    private static Reply set(Ctx c, List<ByteString> a) {
        ExpiryArgs x = parseExpiry(c, a, 3, true, "set");
        if (x.error != null) {
            return x.error;
        }
        Key key = Key.of(a.get(1));
        Entry old = c.get(key);
        Reply previous = null;
        if (x.get) {
            if (old != null && !(old.value() instanceof ByteString)) {
                return R.WRONGTYPE;
            }
            previous = old == null ? R.NIL : R.bulk((ByteString) old.value());
        }
        if ((x.nx && old != null) || (x.xx && old == null)) {
            return x.get ? previous : R.NIL;
        }
        long expireAt = x.keepTtl && old != null ? old.expireAt() : x.when;
        if (x.hasExpire && expireAt < c.now) {
            c.delete(key); // already in the past: as if set and expired at once
        } else {
            c.put(key, a.get(2), expireAt);
        }
        return x.get ? previous : R.OK;
    }

    private static Reply setPlain(Ctx c, ByteString key, ByteString value, boolean nx) {
        Key k = Key.of(key);
        if (nx && c.get(k) != null) {
            return R.ZERO;
        }
        c.put(k, value, 0);
        return nx ? R.ONE : R.OK;
    }

    private static Reply setEx(Ctx c, List<ByteString> a, long unitMillis) {
        String name = unitMillis == 1 ? "psetex" : "setex";
        Long v = Num.parseLong(a.get(2));
        if (v == null) {
            return R.NOT_INTEGER;
        }
        long when = absolute(c.now, v, unitMillis == 1 ? "PX" : "EX");
        if (v <= 0 || when == Long.MIN_VALUE) {
            return invalidExpire(name);
        }
        c.put(Key.of(a.get(1)), a.get(3), when);
        return R.OK;
    }

    private static Reply getSet(Ctx c, List<ByteString> a) {
        Entry old = c.get(a.get(1));
        if (old != null && !(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        c.put(Key.of(a.get(1)), a.get(2), 0);
        return old == null ? R.NIL : R.bulk((ByteString) old.value());
    }

    private static Reply getDel(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old == null) {
            return R.NIL;
        }
        if (!(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        c.delete(k);
        return R.bulk((ByteString) old.value());
    }

    private static Reply getEx(Ctx c, List<ByteString> a) {
        ExpiryArgs x = parseExpiry(c, a, 2, false, "getex");
        if (x.error != null) {
            return x.error;
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old == null) {
            return R.NIL;
        }
        if (!(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        if (x.hasExpire && x.when < c.now) {
            c.delete(k);
        } else if (x.hasExpire) {
            c.put(k, old.value(), x.when);
        } else if (x.persist && old.expireAt() != 0) {
            c.put(k, old.value(), 0);
        }
        return R.bulk((ByteString) old.value());
    }

    private static Reply append(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old != null && !(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        ByteString value = old == null ? a.get(2) : ((ByteString) old.value()).concat(a.get(2));
        if (value.size() > MAX_STRING) {
            return TOO_BIG;
        }
        c.update(k, old, value);
        return R.integer(value.size());
    }

    private static Reply strlen(Ctx c, List<ByteString> a) {
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.ZERO;
        }
        return e.value() instanceof ByteString ? R.integer(((ByteString) e.value()).size()) : R.WRONGTYPE;
    }

    private static Reply getRange(Ctx c, List<ByteString> a) {
        Long start = Num.parseLong(a.get(2));
        Long end = Num.parseLong(a.get(3));
        if (start == null || end == null) {
            return R.NOT_INTEGER;
        }
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.bulk(ByteString.EMPTY);
        }
        if (!(e.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        ByteString s = (ByteString) e.value();
        long len = s.size();
        long from = start;
        long to = end;
        if (from < 0 && to < 0 && from > to) {
            return R.bulk(ByteString.EMPTY);
        }
        if (from < 0) {
            from = len + from;
        }
        if (to < 0) {
            to = len + to;
        }
        from = Math.max(0, from);
        to = Math.max(0, to);
        to = Math.min(to, len - 1);
        if (from > to || len == 0) {
            return R.bulk(ByteString.EMPTY);
        }
        return R.bulk(s.substring((int) from, (int) to + 1));
    }

    private static Reply setRange(Ctx c, List<ByteString> a) {
        Long offset = Num.parseLong(a.get(2));
        if (offset == null) {
            return R.NOT_INTEGER;
        }
        if (offset < 0) {
            return R.error("ERR offset is out of range");
        }
        ByteString value = a.get(3);
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old != null && !(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        ByteString current = old == null ? ByteString.EMPTY : (ByteString) old.value();
        if (value.isEmpty()) {
            return R.integer(current.size());
        }
        if (offset > MAX_STRING - value.size()) { // no overflow: offset may be near Long.MAX_VALUE
            return TOO_BIG;
        }
        int off = offset.intValue();
        byte[] out = new byte[Math.max(current.size(), off + value.size())];
        current.copyTo(out, 0);
        value.copyTo(out, off);
        c.update(k, old, ByteString.copyFrom(out));
        return R.integer(out.length);
    }

    private static Reply incrByArg(Ctx c, List<ByteString> a, boolean negate) {
        Long d = Num.parseLong(a.get(2));
        if (d == null) {
            return R.NOT_INTEGER;
        }
        if (negate && d == Long.MIN_VALUE) {
            return R.error("ERR decrement would overflow");
        }
        return incrBy(c, a.get(1), negate ? -d : d);
    }

    static Reply incrBy(Ctx c, ByteString key, long delta) {
        Key k = Key.of(key);
        Entry old = c.get(k);
        long base = 0;
        if (old != null) {
            if (!(old.value() instanceof ByteString)) {
                return R.WRONGTYPE;
            }
            Long v = Num.parseLong((ByteString) old.value());
            if (v == null) {
                return R.NOT_INTEGER;
            }
            base = v;
        }
        long next;
        try {
            next = Math.addExact(base, delta);
        } catch (ArithmeticException e) {
            return R.error("ERR increment or decrement would overflow");
        }
        c.update(k, old, ByteString.copyFromUtf8(Long.toString(next)));
        return R.integer(next);
    }

    /** Adds a decimal increment to a decimal value as Redis does (long double, printed in plain form). */
    static BigDecimal addFloat(BigDecimal base, BigDecimal incr) {
        return base.add(incr, MathContext.DECIMAL128).setScale(17, java.math.RoundingMode.HALF_EVEN);
    }

    private static Reply incrByFloat(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        BigDecimal base = BigDecimal.ZERO;
        if (old != null) {
            if (!(old.value() instanceof ByteString)) {
                return R.WRONGTYPE;
            }
            base = Num.parseDecimal((ByteString) old.value());
            if (base == null) {
                return R.NOT_FLOAT;
            }
        }
        BigDecimal incr = Num.parseDecimal(a.get(2));
        if (incr == null) {
            return Num.special(a.get(2).toStringUtf8()) != null
                    ? R.error("ERR increment would produce NaN or Infinity")
                    : R.NOT_FLOAT;
        }
        BigDecimal next = addFloat(base, incr);
        if (Num.tooLarge(next)) {
            return R.error("ERR increment would produce NaN or Infinity");
        }
        ByteString out = ByteString.copyFromUtf8(Num.format(next));
        c.update(k, old, out);
        return R.bulk(out);
    }

    private static Reply mget(Ctx c, List<ByteString> a) {
        List<Reply> out = new ArrayList<>(a.size() - 1);
        for (int i = 1; i < a.size(); i++) {
            Entry e = c.get(a.get(i));
            out.add(e != null && e.value() instanceof ByteString ? R.bulk((ByteString) e.value()) : R.NIL);
        }
        return R.array(out);
    }

    private static Reply mset(Ctx c, List<ByteString> a, boolean nx) {
        if (a.size() % 2 == 0) {
            return R.wrongArity(nx ? "msetnx" : "mset");
        }
        if (nx) {
            for (int i = 1; i < a.size(); i += 2) {
                if (c.get(a.get(i)) != null) {
                    return R.ZERO;
                }
            }
        }
        for (int i = 1; i < a.size(); i += 2) {
            c.put(Key.of(a.get(i)), a.get(i + 1), 0);
        }
        return nx ? R.ONE : R.OK;
    }

    private static Reply lcs(Ctx c, List<ByteString> a) {
        Entry ea = c.get(a.get(1));
        Entry eb = c.get(a.get(2));
        if ((ea != null && !(ea.value() instanceof ByteString))
                || (eb != null && !(eb.value() instanceof ByteString))) {
            return R.error("ERR The specified keys must contain string values");
        }
        ByteString x = ea == null ? ByteString.EMPTY : (ByteString) ea.value();
        ByteString y = eb == null ? ByteString.EMPTY : (ByteString) eb.value();
        boolean idx = false;
        boolean len = false;
        boolean withLen = false;
        long minLen = 0;
        for (int i = 3; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            if (o.equals("IDX")) {
                idx = true;
            } else if (o.equals("LEN")) {
                len = true;
            } else if (o.equals("WITHMATCHLEN")) {
                withLen = true;
            } else if (o.equals("MINMATCHLEN") && i + 1 < a.size()) {
                Long m = Num.parseLong(a.get(++i));
                if (m == null) {
                    return R.NOT_INTEGER;
                }
                minLen = Math.max(0, m);
            } else {
                return R.SYNTAX;
            }
        }
        if (idx && len) {
            return R.error("ERR If you want both the length and indexes, please just use IDX.");
        }
        if ((long) (x.size() + 1) * (y.size() + 1) > 16L << 20) { // the table is built on the event loop: bound it
            return R.error("ERR String too long for LCS");
        }
        return Lcs.reply(x, y, idx, len, withLen, minLen);
    }

    private static Reply setBit(Ctx c, List<ByteString> a) {
        Long offset = Num.parseLong(a.get(2));
        if (offset == null || offset < 0 || offset >= MAX_STRING * 8) {
            return R.error("ERR bit offset is not an integer or out of range");
        }
        ByteString bit = a.get(3);
        if (bit.size() != 1 || (bit.byteAt(0) != '0' && bit.byteAt(0) != '1')) {
            return R.error("ERR bit is not an integer or out of range");
        }
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old != null && !(old.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        ByteString current = old == null ? ByteString.EMPTY : (ByteString) old.value();
        int byteIndex = (int) (offset >> 3);
        byte[] out = new byte[Math.max(current.size(), byteIndex + 1)];
        current.copyTo(out, 0);
        int mask = 1 << (7 - (int) (offset & 7));
        int was = (out[byteIndex] & mask) != 0 ? 1 : 0;
        if (bit.byteAt(0) == '1') {
            out[byteIndex] |= (byte) mask;
        } else {
            out[byteIndex] &= (byte) ~mask;
        }
        c.update(k, old, ByteString.copyFrom(out));
        return R.integer(was);
    }

    private static Reply getBit(Ctx c, List<ByteString> a) {
        Long offset = Num.parseLong(a.get(2));
        if (offset == null || offset < 0 || offset >= MAX_STRING * 8) {
            return R.error("ERR bit offset is not an integer or out of range");
        }
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.ZERO;
        }
        if (!(e.value() instanceof ByteString)) {
            return R.WRONGTYPE;
        }
        ByteString s = (ByteString) e.value();
        int byteIndex = (int) (offset >> 3);
        if (byteIndex >= s.size()) {
            return R.ZERO;
        }
        return R.integer((s.byteAt(byteIndex) >> (7 - (int) (offset & 7))) & 1);
    }

    /** raft-kv's compare-and-set: sets the value if the current one equals the expected; 1 if it did. */
    private static Reply cas(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry old = c.get(k);
        if (old == null || !a.get(2).equals(old.value())) {
            return R.ZERO;
        }
        c.update(k, old, a.get(3));
        return R.ONE;
    }
}
