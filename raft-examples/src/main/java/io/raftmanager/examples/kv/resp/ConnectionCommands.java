package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.ReadMode;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.redis.CommandSpec;
import io.raftmanager.examples.kv.redis.CommandTable;
import io.raftmanager.examples.kv.redis.Ctx;
import io.raftmanager.examples.kv.redis.Flag;
import io.raftmanager.examples.kv.redis.Glob;
import io.raftmanager.examples.kv.redis.R;
import io.raftmanager.examples.kv.security.RespAuth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Commands answered by the connection: HELLO, CLIENT, COMMAND, SELECT, MULTI/EXEC/DISCARD,
 * WATCH/UNWATCH, RESET, QUIT, INFO, CONFIG, READMODE, and the forwarded-request wrapper. Only EXEC
 * (through the log) and WATCH (a read of the watched keys' versions) touch the data.
 */
final class ConnectionCommands {
    private static final String VERSION = "7.0.15";
    private static final int NO_GROUP = KvCommands.NO_GROUP;

    private final KvNode node;
    private final CommandTable table;
    private final LeaderRouter router;
    private final KvReads reads;
    private final InfoReply info;
    /** Null with one group. */
    private final ShardedCommands sharded;
    /** This node's clients, for CLIENT LIST. */
    private final Map<Long, Session> clients = new ConcurrentSkipListMap<>();
    /** CONFIG SET values: accepted and reported back, but they change nothing (see the README). */
    private final Map<String, String> config = new ConcurrentHashMap<>();

    private final ScriptRunner scripts;

    ConnectionCommands(KvNode node, CommandTable table, LeaderRouter router, KvReads reads, ShardedCommands sharded) {
        this.node = node;
        this.sharded = sharded;
        this.table = table;
        this.router = router;
        this.reads = reads;
        this.info = new InfoReply(node);
        config.put("databases", Integer.toString(node.config().databases()));
        config.put("maxmemory", "0");
        config.put("maxmemory-policy", "noeviction");
        config.put("save", "");
        config.put("appendonly", "no");
        config.put("timeout", "0");
        config.put("proto-max-bulk-len", Integer.toString(node.config().maxBulkBytes()));
        config.put("hash-max-listpack-entries", "128");
        config.put("hash-max-listpack-value", "64");
        config.put("hash-max-ziplist-entries", "128");
        config.put("hash-max-ziplist-value", "64");
        config.put("zset-max-listpack-entries", "128");
        config.put("zset-max-listpack-value", "64");
        config.put("zset-max-ziplist-entries", "128");
        config.put("zset-max-ziplist-value", "64");
        config.put("busy-reply-threshold", "5000");
        config.put("lua-time-limit", "5000");
        this.scripts = new ScriptRunner(
                node,
                sharded,
                router,
                reads,
                () -> {
                    try {
                        return Long.parseLong(config.getOrDefault("busy-reply-threshold", "5000"));
                    } catch (NumberFormatException e) {
                        return 5000;
                    }
                },
                node.config().requestTimeoutMillis());
    }

    ScriptRunner scripts() {
        return scripts;
    }

    void close() {
        scripts.close();
    }

    /** A CONFIG value of this node, or {@code fallback}. */
    String config(String name, String fallback) {
        return config.getOrDefault(name, fallback);
    }

    void opened(Session s) {
        s.authenticated = !node.respAuth().required();
        clients.put(s.id, s);
    }

    void closed(Session s) {
        clients.remove(s.id);
    }

    CompletableFuture<RedisMessage> run(Session s, CommandSpec spec, List<ByteString> a) {
        switch (spec.name()) {
            case "hello":
                return done(hello(s, a));
            case "auth":
                return done(auth(s, a));
            case "client":
                return done(client(s, a));
            case "command":
                return done(command(a));
            case "select":
                return done(select(s, a));
            case "reset":
                s.resetMulti();
                s.db = 0;
                s.proto = 2;
                s.name = "";
                s.readMode = ReadMode.LINEARIZABLE;
                s.authenticated = !node.respAuth().required(); // RESET signs the connection out, as in Redis
                return done(R.status("RESET"));
            case "quit":
                s.closeAfterReplies = true;
                return done(R.OK);
            case "multi":
                if (s.inMulti) {
                    return done(R.error("ERR MULTI calls can not be nested"));
                }
                s.inMulti = true;
                return done(R.OK);
            case "discard":
                if (!s.inMulti) {
                    return done(R.error("ERR DISCARD without MULTI"));
                }
                s.resetMulti();
                return done(R.OK);
            case "exec":
                return exec(s);
            case "watch":
                return watch(s, a);
            case "unwatch":
                s.watched.clear();
                s.txGroup = NO_GROUP;
                return done(R.OK);
            case "info":
                return a.size() > 2
                        ? done(R.SYNTAX)
                        : info.reply(s, a.size() == 2 ? a.get(1).toStringUtf8() : "default");
            case "config":
                return done(config(a));
            case "readmode":
                return done(readMode(s, a));
            case "eval":
            case "evalsha":
            case "eval_ro":
            case "evalsha_ro":
                return scripts.eval(s, spec.name(), a);
            case "script":
                return CompletableFuture.completedFuture(scripts.script(a));
            case "function":
                return done(scripting(spec.name(), a));
            case "save":
                // The log is what makes writes durable; SAVE compacts it into a snapshot now (every group's).
                return CompletableFuture.allOf(node.shards().stream()
                                .map(g -> g.raft().snapshotNow())
                                .toArray(CompletableFuture[]::new))
                        .handle((meta, err) -> err == null
                                ? new ReplyMessage(R.OK)
                                : new ReplyMessage(R.error("ERR snapshot failed: "
                                        + Replies.unwrap(err).getMessage())));
            case "shutdown":
                return done(
                        R.error(
                                "ERR raft-kv nodes do not stop on SHUTDOWN: stop the node's process, or remove it from the cluster"));
            case "raftkv.fwd":
                return forwarded(a.get(1), a.size() > 2 ? a.get(2) : null);
            default:
                // PING, ECHO, TIME: no data involved, answered here.
                return done(table.run(new Ctx(null, s.db, System.currentTimeMillis(), 0), a));
        }
    }

    private static CompletableFuture<RedisMessage> done(Reply r) {
        return CompletableFuture.completedFuture(new ReplyMessage(r));
    }

    /** AUTH [user] password: Redis 7's answers ({@link RespAuth}); failures are counted, never logged. */
    private Reply auth(Session s, List<ByteString> a) {
        List<byte[]> args = new ArrayList<>();
        for (int i = 1; i < a.size(); i++) {
            args.add(a.get(i).toByteArray());
        }
        String error = node.respAuth().auth(args);
        if (error != null) {
            if (error.equals(RespAuth.WRONGPASS)) {
                node.metrics().respAuthFailed();
            }
            return R.error(error);
        }
        s.authenticated = true;
        return R.OK;
    }

    private Reply hello(Session s, List<ByteString> a) {
        int proto = s.proto;
        int i = 1;
        if (a.size() > 1) {
            Long v = parseLong(a.get(1));
            if (v == null) {
                return R.error("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) {
                return R.error("NOPROTO unsupported protocol version");
            }
            proto = v.intValue();
            i = 2;
        }
        String name = null;
        boolean authenticatedNow = false;
        for (; i < a.size(); i++) {
            String o = upper(a.get(i));
            if (o.equals("AUTH") && i + 2 < a.size()) {
                String error = node.respAuth()
                        .check(a.get(i + 1).toStringUtf8(), a.get(i + 2).toByteArray());
                if (error != null) {
                    node.metrics().respAuthFailed();
                    return R.error(error);
                }
                authenticatedNow = true;
                i += 2;
            } else if (o.equals("SETNAME") && i + 1 < a.size()) {
                name = a.get(++i).toStringUtf8();
                if (!validName(name)) {
                    return R.error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
            } else {
                return R.error("ERR Syntax error in HELLO option '" + a.get(i).toStringUtf8() + "'");
            }
        }
        if (!s.authenticated && !authenticatedNow) {
            return R.error(RespAuth.HELLO_NOAUTH);
        }
        s.authenticated = true;
        s.proto = proto;
        if (name != null) {
            s.name = name;
        }
        return R.map(List.of(
                R.bulk("server"), R.bulk("redis"),
                R.bulk("version"), R.bulk(VERSION),
                R.bulk("proto"), R.integer(proto),
                R.bulk("id"), R.integer(s.id),
                R.bulk("mode"), R.bulk("standalone"),
                R.bulk("role"), R.bulk("master"),
                R.bulk("modules"), R.EMPTY_ARRAY));
    }

    private static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private Reply client(Session s, List<ByteString> a) {
        String sub = upper(a.get(1));
        int n = a.size();
        switch (sub) {
            case "ID":
                return n == 2 ? R.integer(s.id) : R.wrongArity("client|id");
            case "GETNAME":
                return n == 2 ? (s.name.isEmpty() ? R.NIL : R.bulk(s.name)) : R.wrongArity("client|getname");
            case "SETNAME":
                if (n != 3) {
                    return R.wrongArity("client|setname");
                }
                String name = a.get(2).toStringUtf8();
                if (!validName(name)) {
                    return R.error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                s.name = name;
                return R.OK;
            case "SETINFO": {
                if (n != 4) {
                    return R.wrongArity("client|setinfo");
                }
                String attr = upper(a.get(2));
                String value = a.get(3).toStringUtf8();
                if (!validName(value) && !value.isEmpty()) {
                    return R.error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
                }
                if (attr.equals("LIB-NAME")) {
                    s.libName = value;
                } else if (attr.equals("LIB-VER")) {
                    s.libVersion = value;
                } else {
                    return R.error("ERR Unrecognized option '" + a.get(2).toStringUtf8() + "'");
                }
                return R.OK;
            }
            case "INFO":
                return n == 2 ? R.bulk(describe(s)) : R.wrongArity("client|info");
            case "LIST": {
                StringBuilder b = new StringBuilder();
                for (Session c : clients.values()) {
                    b.append(describe(c));
                }
                return R.bulk(b.toString());
            }
            case "NO-EVICT":
            case "NO-TOUCH":
                if (n != 3 || !(upper(a.get(2)).equals("ON") || upper(a.get(2)).equals("OFF"))) {
                    return R.SYNTAX;
                }
                return R.OK;
            default:
                return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try CLIENT HELP.");
        }
    }

    /** One CLIENT LIST line, with Redis' fields (raft-kv keeps no buffer statistics: those are 0). */
    private static String describe(Session s) {
        long now = System.currentTimeMillis();
        return "id=" + s.id + " addr=" + s.remote + " laddr=" + s.local + " fd=0 name=" + s.name
                + " age=" + (now - s.createdMillis) / 1000 + " idle=" + (now - s.lastCommandMillis) / 1000
                + " flags=" + (s.inMulti ? "x" : "N") + " db=" + s.db + " sub=0 psub=0 ssub=0 multi="
                + (s.inMulti ? s.queued.size() : -1)
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd="
                + s.lastCommand + " user=default redir=-1 resp=" + s.proto + " lib-name=" + s.libName
                + " lib-ver=" + s.libVersion + "\n";
    }

    private Reply command(List<ByteString> a) {
        if (a.size() == 1) {
            List<Reply> all = new ArrayList<>();
            for (CommandSpec spec : table.all()) {
                if (!spec.is(Flag.INTERNAL)) {
                    all.add(info(spec));
                }
            }
            return R.array(all);
        }
        String sub = upper(a.get(1));
        switch (sub) {
            case "COUNT":
                return R.integer(
                        table.all().stream().filter(c -> !c.is(Flag.INTERNAL)).count());
            case "LIST": {
                List<Reply> names = new ArrayList<>();
                for (CommandSpec spec : table.all()) {
                    if (!spec.is(Flag.INTERNAL)) {
                        names.add(R.bulk(spec.name()));
                    }
                }
                return R.array(names);
            }
            case "INFO": {
                List<Reply> out = new ArrayList<>();
                for (int i = 2; i < a.size(); i++) {
                    CommandSpec spec = table.lookup(a.get(i));
                    out.add(spec == null || spec.is(Flag.INTERNAL) ? R.NULL_ARRAY : info(spec));
                }
                if (a.size() == 2) {
                    return command(a.subList(0, 1));
                }
                return R.array(out);
            }
            case "DOCS": {
                List<Reply> out = new ArrayList<>();
                List<CommandSpec> wanted = new ArrayList<>();
                if (a.size() == 2) {
                    wanted.addAll(table.all());
                } else {
                    for (int i = 2; i < a.size(); i++) {
                        CommandSpec spec = table.lookup(a.get(i));
                        if (spec != null) {
                            wanted.add(spec);
                        }
                    }
                }
                for (CommandSpec spec : wanted) {
                    if (spec.is(Flag.INTERNAL)) {
                        continue;
                    }
                    out.add(R.bulk(spec.name()));
                    out.add(R.map(List.of(
                            R.bulk("summary"), R.bulk(spec.name().toUpperCase(Locale.ROOT) + " as in Redis " + VERSION),
                            R.bulk("since"), R.bulk("1.0.0"),
                            R.bulk("group"), R.bulk(spec.group()))));
                }
                return R.map(out);
            }
            case "GETKEYS": {
                if (a.size() < 3) {
                    return R.wrongArity("command|getkeys");
                }
                CommandSpec spec = table.lookup(a.get(2));
                List<ByteString> argv = a.subList(2, a.size());
                if (spec == null) {
                    return R.error("ERR Invalid command specified");
                }
                if (!spec.arityOk(argv.size())) {
                    return R.error("ERR Invalid number of arguments specified for command");
                }
                if (spec.firstKey() == 0) {
                    return R.error("ERR The command has no key arguments");
                }
                List<Reply> keys = new ArrayList<>();
                int last = spec.lastKey() < 0 ? argv.size() + spec.lastKey() : spec.lastKey();
                for (int i = spec.firstKey(); i <= last && i < argv.size(); i += Math.max(1, spec.step())) {
                    keys.add(R.bulk(argv.get(i)));
                }
                return R.array(keys);
            }
            default:
                return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try COMMAND HELP.");
        }
    }

    /** COMMAND INFO's entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static Reply info(CommandSpec spec) {
        List<Reply> flags = new ArrayList<>();
        for (Flag f : spec.flags()) {
            if (f != Flag.CONNECTION && f != Flag.INTERNAL) {
                flags.add(R.status(f.wireName()));
            }
        }
        return R.array(List.of(
                R.bulk(spec.name()),
                R.integer(spec.arity()),
                R.set(flags),
                R.integer(spec.firstKey()),
                R.integer(spec.lastKey()),
                R.integer(spec.step()),
                R.set(List.of(R.status("@" + spec.group()))),
                R.EMPTY_ARRAY,
                R.EMPTY_ARRAY,
                R.EMPTY_ARRAY));
    }

    private Reply select(Session s, List<ByteString> a) {
        Long db = parseLong(a.get(1));
        if (db == null) {
            return R.NOT_INTEGER;
        }
        if (db < 0 || db >= node.config().databases()) {
            return R.DB_RANGE;
        }
        s.db = db.intValue();
        return R.OK;
    }

    private CompletableFuture<RedisMessage> exec(Session s) {
        if (!s.inMulti) {
            return done(R.error("ERR EXEC without MULTI"));
        }
        if (s.multiDirty) {
            s.resetMulti();
            return done(R.error("EXECABORT Transaction discarded because of previous errors."));
        }
        // CONFIG, COMMAND and CLIENT concern this node only: they stay out of the entry and are answered
        // here, in their places, once the entry has applied (not at all if a watch aborts it).
        List<io.raftmanager.examples.kv.proto.Argv> data = new ArrayList<>();
        Map<Integer, List<ByteString>> local = new TreeMap<>();
        for (int i = 0; i < s.queued.size(); i++) {
            var argv = s.queued.get(i);
            CommandSpec spec = table.lookup(argv.getArgs(0));
            if (spec != null && spec.handler() == null) {
                local.put(i, argv.getArgsList());
            } else {
                data.add(argv);
            }
        }
        RedisOps ops = RedisOps.newBuilder()
                .setDb(s.db)
                .addAllCommands(data)
                .addAllWatches(s.watched.values())
                .setTransaction(true)
                .build();
        // Commands after EXEC use the database the transaction's last valid SELECT chose (decided now,
        // as pipelined commands are dispatched before EXEC's reply is back).
        for (var argv : s.queued) {
            if (argv.getArgsCount() == 2 && upper(argv.getArgs(0)).equals("SELECT")) {
                Long db = parseLong(argv.getArgs(1));
                if (db != null && db >= 0 && db < node.config().databases()) {
                    s.db = db.intValue();
                }
            }
        }
        int group = s.txGroup == NO_GROUP ? 0 : s.txGroup;
        s.resetMulti();
        CompletableFuture<RedisMessage> applied =
                router.run(ops, s.id, false, node.shards().get(group));
        if (local.isEmpty()) {
            return applied;
        }
        return applied.thenApplyAsync(
                m -> {
                    if (!(m instanceof ReplyMessage)
                            || !((ReplyMessage) m).reply().hasArray()) {
                        return m;
                    }
                    List<Reply> replies = new ArrayList<>(
                            ((ReplyMessage) m).reply().getArray().getItemsList());
                    local.forEach((at, argv) -> replies.add(at, localInMulti(s, argv)));
                    return new ReplyMessage(R.array(replies));
                },
                s.loop);
    }

    private Reply localInMulti(Session s, List<ByteString> a) {
        switch (a.get(0).toStringUtf8().toLowerCase(Locale.ROOT)) {
            case "config":
                return config(a);
            case "command":
                return command(a);
            default:
                return client(s, a);
        }
    }

    private CompletableFuture<RedisMessage> watch(Session s, List<ByteString> a) {
        if (s.inMulti) {
            return done(R.error("ERR WATCH inside MULTI is not allowed"));
        }
        int group = 0;
        if (sharded != null) {
            group = sharded.groupOf(a.subList(1, a.size()));
            if (group == ShardedCommands.MIXED || (s.txGroup != NO_GROUP && s.txGroup != group)) {
                return done(R.error(ShardedCommands.CROSSSLOT));
            }
            s.txGroup = group;
        }
        int db = s.db;
        RedisRead.Builder read = RedisRead.newBuilder().setDb(db).addArgs(ByteString.copyFromUtf8("raftkv.versions"));
        for (int i = 1; i < a.size(); i++) {
            read.addArgs(ByteString.copyFromUtf8(Integer.toString(db))).addArgs(a.get(i));
        }
        return reads.reply(s, read.build(), node.shards().get(group))
                .handleAsync(
                        (r, err) -> {
                            if (err != null) {
                                return Replies.failure(err, false);
                            }
                            if (!r.hasArray()) {
                                return new ReplyMessage(r);
                            }
                            for (int i = 1; i < a.size(); i++) {
                                s.watch(
                                        db,
                                        a.get(i),
                                        r.getArray().getItems(i - 1).getInteger());
                            }
                            return new ReplyMessage(R.OK);
                        },
                        s.loop);
    }

    private Reply config(List<ByteString> a) {
        String sub = upper(a.get(1));
        switch (sub) {
            case "GET": {
                if (a.size() < 3) {
                    return R.wrongArity("config|get");
                }
                Map<String, String> out = new TreeMap<>();
                for (int i = 2; i < a.size(); i++) {
                    for (Map.Entry<String, String> e : config.entrySet()) {
                        if (Glob.matches(
                                ByteString.copyFromUtf8(a.get(i).toStringUtf8().toLowerCase(Locale.ROOT)),
                                ByteString.copyFromUtf8(e.getKey()))) {
                            out.put(e.getKey(), e.getValue());
                        }
                    }
                }
                List<Reply> items = new ArrayList<>();
                out.forEach((k, v) -> {
                    items.add(R.bulk(k));
                    items.add(R.bulk(v));
                });
                return R.map(items);
            }
            case "SET": {
                if (a.size() < 4 || a.size() % 2 != 0) {
                    return R.wrongArity("config|set");
                }
                for (int i = 2; i < a.size(); i += 2) {
                    String key = a.get(i).toStringUtf8().toLowerCase(Locale.ROOT);
                    if (key.equals("databases")) {
                        return R.error(
                                "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
                    }
                    if (!validConfigValue(key, a.get(i + 1).toStringUtf8())) {
                        return R.error("ERR CONFIG SET failed (possibly related to argument '" + key
                                + "') - argument couldn't be parsed into an integer");
                    }
                    config.put(key, a.get(i + 1).toStringUtf8());
                    if (key.contains("ziplist")) { // the old names of the listpack settings
                        config.put(
                                key.replace("ziplist", "listpack"), a.get(i + 1).toStringUtf8());
                    }
                    if (key.equals("lua-time-limit") || key.equals("busy-reply-threshold")) { // aliases
                        config.put("lua-time-limit", a.get(i + 1).toStringUtf8());
                        config.put("busy-reply-threshold", a.get(i + 1).toStringUtf8());
                    }
                }
                return R.OK;
            }
            case "RESETSTAT":
                return R.OK;
            default:
                return R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try CONFIG HELP.");
        }
    }

    /** Integer settings must parse (memory sizes may carry a unit, as Redis accepts: 100mb, 1gb). */
    private static boolean validConfigValue(String key, String value) {
        boolean memory = key.equals("maxmemory") || key.equals("proto-max-bulk-len");
        boolean integer = memory
                || key.equals("timeout")
                || key.equals("lua-time-limit")
                || key.equals("busy-reply-threshold")
                || key.endsWith("-entries")
                || key.endsWith("-value");
        if (!integer) {
            return true;
        }
        String v = value.toLowerCase(Locale.ROOT);
        if (memory) {
            v = v.replaceFirst("(k|kb|m|mb|g|gb|b)$", "");
        }
        return v.matches("-?[0-9]+");
    }

    /** raft-kv runs no functions (FUNCTION LOAD): there is nothing to flush or list. */
    private static Reply scripting(String name, List<ByteString> a) {
        String sub = upper(a.get(1));
        if (sub.equals("FLUSH")) {
            return a.size() == 2
                            || (a.size() == 3
                                    && (upper(a.get(2)).equals("ASYNC")
                                            || upper(a.get(2)).equals("SYNC")))
                    ? R.OK
                    : R.SYNTAX;
        }
        if (sub.equals("LIST") && name.equals("function")) {
            return R.EMPTY_ARRAY;
        }
        if (sub.equals("KILL")) {
            return R.error("NOTBUSY No scripts in execution right now.");
        }
        return R.error(
                "ERR raft-kv does not run functions ('" + name + " " + a.get(1).toStringUtf8() + "')");
    }

    private static Reply readMode(Session s, List<ByteString> a) {
        if (a.size() == 1) {
            return R.bulk(s.readMode.wireName());
        }
        if (a.size() > 2) {
            return R.wrongArity("readmode");
        }
        return ReadMode.parse(a.get(1).toStringUtf8())
                .map(m -> {
                    s.readMode = m;
                    return R.OK;
                })
                .orElseGet(() -> R.error("ERR unknown read mode '" + a.get(1).toStringUtf8()
                        + "' (linearizable, lease, follower, stale)"));
    }

    /** A follower's forwarded write: propose it here; the answer is the raw reply bytes. */
    private CompletableFuture<RedisMessage> forwarded(ByteString payload, ByteString groupArg) {
        int group = 0;
        if (groupArg != null) {
            try {
                group = Integer.parseInt(groupArg.toStringUtf8());
            } catch (NumberFormatException e) {
                group = -1;
            }
            if (group < 0 || group >= node.shards().size()) {
                return CompletableFuture.completedFuture(Replies.error("ERR forwarded request for unknown group"));
            }
        }
        RedisOps ops;
        try {
            ops = RedisOps.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return CompletableFuture.completedFuture(Replies.error("ERR malformed forwarded request"));
        }
        return router.run(ops, 0, true, node.shards().get(group));
    }

    private static Long parseLong(ByteString b) {
        java.util.OptionalLong v = io.raftmanager.examples.kv.KvCodec.parseLong(b);
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static String upper(ByteString b) {
        return b.toStringUtf8().toUpperCase(Locale.ROOT);
    }
}
