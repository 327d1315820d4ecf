package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.redis.LuaRun;
import io.raftmanager.examples.kv.redis.R;
import io.raftmanager.examples.kv.redis.ScriptCommands;
import io.raftmanager.examples.kv.redis.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.luaj.vm2.Prototype;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs EVAL scripts on this node, one at a time, as Redis does, but off the event loops: a script
 * runs against a fork of the store taken by a read at the connection's read mode (after the
 * connection's earlier requests), and its writes then go through the log as one transaction that
 * watches every key the script touched. If one of them changed in between, the transaction applies
 * nothing and the script runs again on a newer fork, so a script is atomic and its writes apply in the
 * same order on every replica (see {@link LuaRun}). While a script has run longer than
 * {@code busy-reply-threshold} (alias {@code lua-time-limit}), this node answers other commands
 * {@code -BUSY} until it ends or {@code SCRIPT KILL} stops it; a killed script writes nothing, since
 * its writes are only proposed once it has finished.
 */
final class ScriptRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptRunner.class);
    static final String BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    /** One script being run: when it started, and whether SCRIPT KILL asked it to stop. */
    private static final class Running {
        final long startNanos = System.nanoTime();
        volatile boolean killed;
    }

    private record Script(ByteString body, Prototype code) {}

    private final KvNode node;
    /** Null with one group. */
    private final ShardedCommands sharded;

    private final LeaderRouter router;
    private final KvReads reads;
    private final LongSupplier busyThresholdMillis;
    private final long timeoutNanos;
    private final Map<String, Script> cache = new ConcurrentHashMap<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raft-kv-script");
        t.setDaemon(true);
        return t;
    });
    private volatile Running running;

    ScriptRunner(
            KvNode node,
            ShardedCommands sharded,
            LeaderRouter router,
            KvReads reads,
            LongSupplier busyThresholdMillis,
            long timeoutMillis) {
        this.node = node;
        this.sharded = sharded;
        this.router = router;
        this.reads = reads;
        this.busyThresholdMillis = busyThresholdMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Whether a script has run longer than the busy threshold: other commands are then refused. */
    boolean busy() {
        Running r = running;
        return r != null
                && System.nanoTime() - r.startNanos > TimeUnit.MILLISECONDS.toNanos(busyThresholdMillis.getAsLong());
    }

    /** EVAL, EVALSHA, EVAL_RO, EVALSHA_RO: {@code name} lower case, {@code a} the full argv. */
    CompletableFuture<RedisMessage> eval(Session s, String name, List<ByteString> a) {
        Long numKeys = parseLong(a.get(2));
        if (numKeys == null) {
            return done(R.NOT_INTEGER);
        }
        if (numKeys > a.size() - 3) {
            return done(R.error("ERR Number of keys can't be greater than number of args"));
        }
        if (numKeys < 0) {
            return done(R.error("ERR Number of keys can't be negative"));
        }
        Script script;
        if (name.startsWith("evalsha")) {
            script = cache.get(a.get(1).toStringUtf8().toLowerCase(Locale.ROOT));
            if (script == null) {
                return done(R.error("NOSCRIPT No matching script. Please use EVAL."));
            }
        } else {
            try {
                script = load(a.get(1));
            } catch (LuaRun.CompileError e) {
                return done(R.error(e.getMessage()));
            }
        }
        int k = numKeys.intValue();
        // With several groups a script runs in its keys' group (a keyless one in group 0), as Redis
        // Cluster runs it on the keys' node; keys in several groups are refused.
        Shard shard = node.shards().get(0);
        if (sharded != null) {
            int g = sharded.groupOf(a.subList(3, 3 + k));
            if (g == ShardedCommands.MIXED) {
                return done(R.error(ShardedCommands.CROSSSLOT));
            }
            shard = node.shards().get(Math.max(0, g));
        }
        Call call = new Call(
                s,
                shard,
                s.db,
                script.code(),
                a.subList(3, 3 + k),
                a.subList(3 + k, a.size()),
                name.endsWith("_ro"),
                System.nanoTime() + timeoutNanos);
        attempt(call, s.previous);
        return call.reply;
    }

    /** One EVAL, tried until its effects apply or its time runs out. */
    private record Call(
            Session session,
            Shard shard,
            int db,
            Prototype code,
            List<ByteString> keys,
            List<ByteString> args,
            boolean readOnly,
            long deadlineNanos,
            CompletableFuture<RedisMessage> reply) {
        Call(
                Session session,
                Shard shard,
                int db,
                Prototype code,
                List<ByteString> keys,
                List<ByteString> args,
                boolean readOnly,
                long deadlineNanos) {
            this(
                    session,
                    shard,
                    db,
                    code,
                    List.copyOf(keys),
                    List.copyOf(args),
                    readOnly,
                    deadlineNanos,
                    new CompletableFuture<>());
        }
    }

    private void attempt(Call c, CompletableFuture<?> after) {
        RedisRead fork = RedisRead.newBuilder()
                .setDb(c.db())
                .addArgs(ByteString.copyFromUtf8("raftkv.fork"))
                .build();
        reads.reply(c.session(), fork, after, c.shard()).whenComplete((r, err) -> {
            if (err != null) {
                c.reply().complete(Replies.failure(err, false));
            } else if (!r.hasInteger()) {
                c.reply().complete(new ReplyMessage(r));
            } else {
                Store store = ScriptCommands.take(r.getInteger());
                if (store == null) {
                    c.reply().complete(Replies.error("TRYAGAIN too many scripts waiting, retry"));
                } else {
                    thread.execute(() -> runOn(store, c));
                }
            }
        });
    }

    private void runOn(Store store, Call c) {
        Running me = new Running();
        running = me;
        LuaRun.Outcome out = null;
        io.raftmanager.examples.kv.proto.Reply failed = null;
        try {
            long now = Math.max(store.clock(), System.currentTimeMillis());
            out = LuaRun.run(store, c.db(), now, c.code(), c.keys(), c.args(), c.readOnly(), () -> me.killed);
        } catch (LuaRun.Killed e) {
            failed = R.error("ERR Script killed by user with SCRIPT KILL...");
        } catch (RuntimeException e) {
            LOG.warn("script failed", e);
            failed = R.error("ERR Error running script: " + e);
        } finally {
            running = null; // before any reply: a client that saw the script end must not see BUSY
        }
        if (failed != null) {
            c.reply().complete(new ReplyMessage(failed));
        } else {
            propose(c, out);
        }
    }

    /** Proposes a finished script's effects; runs it again if something it depends on changed meanwhile. */
    private void propose(Call c, LuaRun.Outcome out) {
        if (out.effects().isEmpty()) {
            c.reply().complete(new ReplyMessage(out.reply()));
            return;
        }
        RedisOps ops = RedisOps.newBuilder()
                .setDb(c.db())
                .addAllCommands(out.effects())
                .addAllWatches(out.watches())
                .setTransaction(true)
                .build();
        router.run(ops, c.session().id, false, c.shard()).whenComplete((m, err) -> {
            if (err != null) {
                c.reply().complete(Replies.failure(err, true));
            } else if (m instanceof ReplyMessage && ((ReplyMessage) m).reply().getNullArray()) {
                // Something the script read or wrote changed before its effects applied: run it again.
                if (System.nanoTime() - c.deadlineNanos() < 0) {
                    attempt(c, CompletableFuture.completedFuture(null));
                } else {
                    c.reply().complete(Replies.error("TIMEOUT the script kept meeting concurrent writes"));
                }
            } else if (m instanceof ReplyMessage && ((ReplyMessage) m).reply().hasArray()) {
                c.reply().complete(new ReplyMessage(out.reply()));
            } else {
                c.reply().complete(m); // an error of the route (no leader, timeout): outcome unknown
            }
        });
    }

    /** SCRIPT LOAD / EXISTS / FLUSH / KILL. The script cache is this node's own, as in Redis. */
    RedisMessage script(List<ByteString> a) {
        String sub = a.get(1).toStringUtf8().toUpperCase(Locale.ROOT);
        switch (sub) {
            case "LOAD":
                if (a.size() != 3) {
                    return reply(R.wrongArity("script|load"));
                }
                try {
                    return reply(R.bulk(LuaRun.sha1(load(a.get(2)).body())));
                } catch (LuaRun.CompileError e) {
                    return reply(R.error(e.getMessage()));
                }
            case "EXISTS": {
                if (a.size() < 3) {
                    return reply(R.wrongArity("script|exists"));
                }
                List<io.raftmanager.examples.kv.proto.Reply> out = new ArrayList<>();
                for (int i = 2; i < a.size(); i++) {
                    out.add(R.bool(cache.containsKey(a.get(i).toStringUtf8().toLowerCase(Locale.ROOT))));
                }
                return reply(R.array(out));
            }
            case "FLUSH":
                if (a.size() > 3
                        || (a.size() == 3
                                && !List.of("ASYNC", "SYNC")
                                        .contains(a.get(2).toStringUtf8().toUpperCase(Locale.ROOT)))) {
                    return reply(R.SYNTAX);
                }
                cache.clear();
                return reply(R.OK);
            case "KILL": {
                Running r = running;
                if (r == null) {
                    return reply(R.error("NOTBUSY No scripts in execution right now."));
                }
                r.killed = true;
                LOG.info("SCRIPT KILL: stopping the running script");
                return reply(R.OK);
            }
            default:
                return reply(R.error("ERR unknown subcommand '" + a.get(1).toStringUtf8() + "'. Try SCRIPT HELP."));
        }
    }

    private Script load(ByteString body) throws LuaRun.CompileError {
        String sha = LuaRun.sha1(body);
        Script s = cache.get(sha);
        if (s == null) {
            s = new Script(body, LuaRun.compile(body));
            cache.put(sha, s);
        }
        return s;
    }

    @Override
    public void close() {
        Running r = running;
        if (r != null) {
            r.killed = true;
        }
        thread.shutdownNow();
    }

    private static RedisMessage reply(io.raftmanager.examples.kv.proto.Reply r) {
        return new ReplyMessage(r);
    }

    private static CompletableFuture<RedisMessage> done(io.raftmanager.examples.kv.proto.Reply r) {
        return CompletableFuture.completedFuture(new ReplyMessage(r));
    }

    private static Long parseLong(ByteString b) {
        java.util.OptionalLong v = io.raftmanager.examples.kv.KvCodec.parseLong(b);
        return v.isPresent() ? v.getAsLong() : null;
    }
}
