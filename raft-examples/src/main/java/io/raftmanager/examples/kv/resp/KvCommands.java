package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.redis.CommandSpec;
import io.raftmanager.examples.kv.redis.CommandTable;
import io.raftmanager.examples.kv.redis.Flag;
import io.raftmanager.examples.kv.security.RespAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Dispatches one RESP command by the {@link CommandTable}: unknown commands and arity errors are
 * answered here; inside MULTI commands are queued; writes go to the leader through the log ({@link
 * LeaderRouter}); reads are served at the connection's read mode ({@link KvReads}); connection commands
 * are answered by {@link ConnectionCommands}.
 */
final class KvCommands {
    /** Commands that run at once even inside MULTI. */
    private static final Set<String> MULTI_CONTROL = Set.of("exec", "discard", "multi", "watch", "quit", "reset");
    /** Connection commands that may be queued in MULTI: EXEC answers them on this node, in their place. */
    static final Set<String> LOCAL_IN_MULTI = Set.of("config", "command", "client");
    /** Commands answered while a script is busy (Redis' ALLOW_BUSY), besides SCRIPT KILL. */
    private static final Set<String> ALLOW_BUSY =
            Set.of("auth", "hello", "discard", "multi", "quit", "reset", "unwatch", "watch", "raftkv.fwd");

    /** {@link #route}: the request touches no group (or the node has one group only). */
    static final int NO_GROUP = -1;

    /** {@link #route}: the request spans several groups. */
    static final int ALL_GROUPS = -2;

    private final CommandTable table = CommandTable.get();
    private final KvNode node;
    private final LeaderRouter router;
    private final KvReads reads;
    private final ConnectionCommands connection;
    /** Null with one group. */
    private final ShardedCommands sharded;

    private final Blocking blocking;

    KvCommands(KvNode node, Forwarder forwarder) {
        this.node = node;
        this.router = new LeaderRouter(node, forwarder);
        this.reads = new KvReads(node);
        this.sharded = node.shards().size() > 1 ? new ShardedCommands(node, router, reads) : null;
        this.connection = new ConnectionCommands(node, table, router, reads, sharded);
        this.blocking = new Blocking(router, reads);
    }

    /**
     * The group {@code args} will run in when dispatched now: a group id, {@link #ALL_GROUPS} when it
     * spans groups, {@link #NO_GROUP} when it touches none (always, with one group). A connection
     * pipelines requests to one group only (see {@link RespConnection}).
     */
    int route(Session s, List<byte[]> args) {
        if (sharded == null || args.isEmpty()) {
            return NO_GROUP;
        }
        String name = text(args.get(0)).toLowerCase(Locale.ROOT);
        if (name.equals("exec")) {
            return !s.inMulti ? NO_GROUP : s.txGroup == NO_GROUP ? 0 : s.txGroup;
        }
        if (s.inMulti && !MULTI_CONTROL.contains(name)) {
            return NO_GROUP; // queued
        }
        if (name.startsWith("eval")) {
            int g = sharded.groupOf(ShardedCommands.scriptKeys(args));
            return g == ShardedCommands.MIXED ? ALL_GROUPS : g == NO_GROUP ? 0 : g;
        }
        CommandSpec spec = table.lookup(name);
        if (spec == null
                || !spec.arityOk(args.size())
                || !(spec.is(Flag.WRITE) || spec.is(Flag.READONLY) || name.equals("watch"))) {
            return NO_GROUP;
        }
        List<ByteString> argv = new ArrayList<>(args.size());
        for (byte[] a : args) {
            argv.add(ByteString.copyFrom(a));
        }
        return sharded.route(spec, argv);
    }

    void opened(Session s) {
        connection.opened(s);
    }

    void closed(Session s) {
        s.closed = true;
        connection.closed(s);
    }

    void close() {
        connection.close();
    }

    /** Whether {@code args} may change data: a timeout then leaves its outcome unknown. */
    boolean mayWrite(Session s, List<byte[]> args) {
        return !isRead(s, args)
                || (!args.isEmpty()
                        && text(args.get(0)).toLowerCase(Locale.ROOT).startsWith("eval"));
    }

    /** Whether {@code args} is a blocking command that may wait longer than the request timeout. */
    boolean isBlocking(Session s, List<byte[]> args) {
        if (args.isEmpty() || s.inMulti) {
            return false;
        }
        CommandSpec spec = table.lookup(text(args.get(0)));
        return spec != null && spec.is(Flag.BLOCKING);
    }

    /**
     * Whether {@code args} will run as a read now: a later write must wait for it, so that it cannot
     * change what the read sees. WATCH counts as one (EXEC needs the versions it reads).
     */
    boolean isRead(Session s, List<byte[]> args) {
        if (args.isEmpty()) {
            return false;
        }
        String name = text(args.get(0)).toLowerCase(Locale.ROOT);
        if (name.equals("watch")) {
            return true;
        }
        if (name.startsWith("eval") && !s.inMulti) {
            return true; // it reads (a fork of the data); later writes wait for it, so they apply after its own
        }
        if (s.inMulti) {
            return false;
        }
        CommandSpec spec = table.lookup(name);
        return spec != null && spec.is(Flag.READONLY);
    }

    /** Runs {@code args} (command name first); a null future means "no reply" (an empty request). */
    CompletableFuture<RedisMessage> execute(Session s, List<byte[]> args) {
        if (args.isEmpty()) {
            return null;
        }
        List<ByteString> argv = new ArrayList<>(args.size());
        for (byte[] a : args) {
            argv.add(ByteString.copyFrom(a));
        }
        String name = text(args.get(0)).toLowerCase(Locale.ROOT);
        s.lastCommand = name;
        s.lastCommandMillis = System.currentTimeMillis();
        CommandSpec spec = table.lookup(name);
        if (spec == null || (spec.is(Flag.INTERNAL) && !name.equals("raftkv.fwd"))) {
            s.multiDirty |= s.inMulti;
            return done(Replies.error(unknownCommand(args)));
        }
        if (!spec.arityOk(argv.size())) {
            s.multiDirty |= s.inMulti;
            return done(Replies.wrongArity(name));
        }
        if (!s.authenticated && !RespAuth.allowedBeforeAuth(name)) {
            // As Redis: unknown commands and arity first, then authentication (forwarded requests included).
            s.multiDirty |= s.inMulti;
            return done(Replies.error(RespAuth.NOAUTH));
        }
        if (connection.scripts().busy() && !allowedWhileBusy(name, argv)) {
            // As Redis: refused, and a transaction being queued is doomed (EXEC itself aborts it).
            if (s.inMulti) {
                s.multiDirty = true;
                if (name.equals("exec")) {
                    s.resetMulti();
                    return done(Replies.error("EXECABORT Transaction discarded because of: " + ScriptRunner.BUSY));
                }
            }
            return done(Replies.error(ScriptRunner.BUSY));
        }
        if (s.inMulti && !MULTI_CONTROL.contains(name)) {
            if (spec.handler() == null && !LOCAL_IN_MULTI.contains(name)) {
                s.multiDirty = true;
                return done(Replies.error("ERR Command not allowed inside a transaction"));
            }
            if (sharded != null && (spec.is(Flag.WRITE) || spec.is(Flag.READONLY))) {
                io.raftmanager.examples.kv.proto.Reply refused = sharded.queue(s, spec, argv);
                if (refused != null) {
                    s.multiDirty = true;
                    return done(new ReplyMessage(refused));
                }
            }
            s.queued.add(Argv.newBuilder().addAllArgs(argv).build());
            return done(new io.netty.handler.codec.redis.SimpleStringRedisMessage("QUEUED"));
        }
        if (spec.is(Flag.BLOCKING)) {
            Shard shard = node.shards().get(0);
            if (sharded != null) {
                int g = sharded.groupOf(ShardedCommands.keys(spec, argv));
                if (g == ShardedCommands.MIXED) {
                    return done(Replies.error(ShardedCommands.CROSSSLOT));
                }
                shard = node.shards().get(Math.max(0, g));
            }
            return blocking.run(s, name, argv, shard);
        }
        if (spec.is(Flag.WRITE) && sharded != null) {
            return sharded.execute(s, spec, argv, true);
        }
        if (spec.is(Flag.WRITE)) {
            RedisOps ops = RedisOps.newBuilder()
                    .setDb(s.db)
                    .addCommands(Argv.newBuilder().addAllArgs(argv))
                    .build();
            return router.run(ops, s.id, false);
        }
        if (spec.is(Flag.READONLY)) {
            if (name.equals("object") && argv.size() == 3) {
                // OBJECT ENCODING judges by this node's listpack limits (CONFIG SET is per node).
                for (String limit : List.of(
                        "hash-max-listpack-entries",
                        "hash-max-listpack-value",
                        "zset-max-listpack-entries",
                        "zset-max-listpack-value")) {
                    argv.add(ByteString.copyFromUtf8(
                            connection.config(limit, limit.endsWith("entries") ? "128" : "64")));
                }
            }
            if (sharded != null) {
                return sharded.execute(s, spec, argv, false);
            }
            return reads.read(
                    s, RedisRead.newBuilder().setDb(s.db).addAllArgs(argv).build());
        }
        return connection.run(s, spec, argv);
    }

    private static boolean allowedWhileBusy(String name, List<ByteString> argv) {
        return ALLOW_BUSY.contains(name)
                || ((name.equals("script") || name.equals("function"))
                        && argv.get(1).toStringUtf8().equalsIgnoreCase("kill"));
    }

    private static String unknownCommand(List<byte[]> args) {
        StringBuilder b = new StringBuilder("ERR unknown command '")
                .append(printable(text(args.get(0))))
                .append("', with args beginning with: ");
        for (int i = 1; i < args.size() && i <= 3; i++) {
            b.append('\'').append(printable(text(args.get(i)))).append("' ");
        }
        return b.toString();
    }

    private static String printable(String s) {
        String t = s.length() > 128 ? s.substring(0, 128) : s;
        return t.replaceAll("[\\r\\n]", " ");
    }

    static CompletableFuture<RedisMessage> done(RedisMessage m) {
        return CompletableFuture.completedFuture(m);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
