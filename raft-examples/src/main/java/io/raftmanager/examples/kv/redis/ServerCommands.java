package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.none;
import static io.raftmanager.examples.kv.redis.Flag.ADMIN;
import static io.raftmanager.examples.kv.redis.Flag.CONNECTION;
import static io.raftmanager.examples.kv.redis.Flag.FAST;
import static io.raftmanager.examples.kv.redis.Flag.INTERNAL;
import static io.raftmanager.examples.kv.redis.Flag.LOADING;
import static io.raftmanager.examples.kv.redis.Flag.NOSCRIPT;
import static io.raftmanager.examples.kv.redis.Flag.STALE;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.List;

/**
 * Connection and server commands. Most are answered by the connection alone (no handler here); PING,
 * ECHO, TIME and SELECT also have handlers, because inside MULTI they run in the transaction's entry.
 */
final class ServerCommands {
    private ServerCommands() {}

    static void register(CommandTable t) {
        t.add("ping", -1, "connection", none(), ServerCommands::ping, CONNECTION, FAST, STALE);
        t.add("echo", 2, "connection", none(), (c, a) -> R.bulk(a.get(1)), CONNECTION, FAST, STALE);
        t.add(
                "time",
                1,
                "server",
                none(),
                (c, a) -> R.array(
                        List.of(R.bulk(Long.toString(c.now / 1000)), R.bulk(Long.toString(c.now % 1000 * 1000)))),
                CONNECTION,
                FAST);
        t.add("select", 2, "connection", none(), ServerCommands::select, CONNECTION, FAST, LOADING, STALE);
        for (String name : List.of("hello", "auth")) {
            t.add(name, -1, "connection", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        }
        t.add("client", -2, "connection", none(), null, CONNECTION, NOSCRIPT, LOADING, STALE);
        t.add("command", -1, "server", none(), null, CONNECTION, LOADING, STALE);
        t.add("reset", 1, "connection", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("quit", -1, "connection", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("multi", 1, "transactions", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("exec", 1, "transactions", none(), null, CONNECTION, NOSCRIPT, LOADING, STALE);
        t.add("discard", 1, "transactions", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("watch", -2, "transactions", CommandTable.keysFrom1(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("unwatch", 1, "transactions", none(), null, CONNECTION, FAST, NOSCRIPT, LOADING, STALE);
        t.add("info", -1, "server", none(), null, CONNECTION, LOADING, STALE);
        t.add("config", -2, "server", none(), null, CONNECTION, ADMIN, NOSCRIPT, LOADING, STALE);
        t.add("save", 1, "server", none(), null, CONNECTION, ADMIN, NOSCRIPT);
        t.add("shutdown", -1, "server", none(), null, CONNECTION, ADMIN, NOSCRIPT, LOADING, STALE);
        t.add("function", -2, "scripting", none(), null, CONNECTION, NOSCRIPT);
        t.add("script", -2, "scripting", none(), null, CONNECTION, NOSCRIPT);
        t.add("readmode", -1, "raft-kv", none(), null, CONNECTION, FAST);
        t.add("raftkv.fwd", -2, "raft-kv", none(), null, CONNECTION, INTERNAL);
    }

    private static Reply ping(Ctx c, List<ByteString> a) {
        if (a.size() > 2) {
            return R.wrongArity("ping");
        }
        return a.size() == 2 ? R.bulk(a.get(1)) : R.status("PONG");
    }

    /** SELECT inside a transaction: later commands of the same EXEC use the new database. */
    private static Reply select(Ctx c, List<ByteString> a) {
        Long db = Num.parseLong(a.get(1));
        if (db == null) {
            return R.NOT_INTEGER;
        }
        if (db < 0 || db >= c.store.databases()) {
            return R.DB_RANGE;
        }
        c.db = db.intValue();
        return R.OK;
    }
}
