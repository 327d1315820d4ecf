package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.key1;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.WRITE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.List;

/**
 * Expiry commands (Redis' expire.c). Times are the log's: relative expiries are added to the entry's
 * leader timestamp, so every replica stores the same absolute expiry.
 */
final class ExpireCommands {
    private static final String GROUP = "generic";

    private ExpireCommands() {}

    static void register(CommandTable t) {
        t.add("expire", -3, GROUP, key1(), (c, a) -> expire(c, a, "EX", "expire"), WRITE, FAST);
        t.add("pexpire", -3, GROUP, key1(), (c, a) -> expire(c, a, "PX", "pexpire"), WRITE, FAST);
        t.add("expireat", -3, GROUP, key1(), (c, a) -> expire(c, a, "EXAT", "expireat"), WRITE, FAST);
        t.add("pexpireat", -3, GROUP, key1(), (c, a) -> expire(c, a, "PXAT", "pexpireat"), WRITE, FAST);
        t.add("ttl", 2, GROUP, key1(), (c, a) -> ttl(c, a, false, false), READONLY, FAST);
        t.add("pttl", 2, GROUP, key1(), (c, a) -> ttl(c, a, true, false), READONLY, FAST);
        t.add("expiretime", 2, GROUP, key1(), (c, a) -> ttl(c, a, false, true), READONLY, FAST);
        t.add("pexpiretime", 2, GROUP, key1(), (c, a) -> ttl(c, a, true, true), READONLY, FAST);
        t.add("persist", 2, GROUP, key1(), ExpireCommands::persist, WRITE, FAST);
    }

    private static Reply expire(Ctx c, List<ByteString> a, String unit, String name) {
        Long v = Num.parseLong(a.get(2));
        if (v == null) {
            return R.NOT_INTEGER;
        }
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < a.size(); i++) {
            String o = Num.upper(a.get(i));
            switch (o) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> {
                    return R.error("ERR Unsupported option " + a.get(i).toStringUtf8());
                }
            }
        }
        if (nx && (xx || gt || lt)) {
            return R.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            return R.error("ERR GT and LT options at the same time are not compatible");
        }
        long when = StringCommands.absolute(c.now, v, unit);
        if (when == Long.MIN_VALUE) {
            return StringCommands.invalidExpire(name);
        }
        Key k = Key.of(a.get(1));
        Entry e = c.get(k);
        if (e == null) {
            return R.ZERO;
        }
        long current = e.expireAt() == 0 ? -1 : e.expireAt();
        if ((nx && current != -1)
                || (xx && current == -1)
                || (gt && (current == -1 || when <= current))
                || (lt && current != -1 && when >= current)) {
            return R.ZERO;
        }
        if (when <= c.now) {
            c.delete(k);
        } else {
            c.put(k, e.value(), when);
        }
        return R.ONE;
    }

    private static Reply ttl(Ctx c, List<ByteString> a, boolean millis, boolean absolute) {
        Entry e = c.get(a.get(1));
        if (e == null) {
            return R.integer(-2);
        }
        if (e.expireAt() == 0) {
            return R.integer(-1);
        }
        if (absolute) {
            return R.integer(millis ? e.expireAt() : e.expireAt() / 1000);
        }
        long left = Math.max(0, e.expireAt() - c.now);
        return R.integer(millis ? left : (left + 500) / 1000);
    }

    private static Reply persist(Ctx c, List<ByteString> a) {
        Key k = Key.of(a.get(1));
        Entry e = c.get(k);
        if (e == null || e.expireAt() == 0) {
            return R.ZERO;
        }
        c.put(k, e.value(), 0);
        return R.ONE;
    }
}
