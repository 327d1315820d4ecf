package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.WatchedKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * One run of an EVAL script against a private fork of the store, as Redis 7 replicates scripts: by
 * their effects. {@code redis.call} runs the command table's handlers on the fork, so the script reads
 * its own writes; the run records each write command (the effects, which then go through the log as one
 * transaction) and the version every key it touched had before the script ran (the watches: the
 * transaction applies only if none of them changed, so the effects mean on every replica what they
 * meant to the script). Keyless reads (KEYS, SCAN, RANDOMKEY, DBSIZE) and cross-database moves cannot
 * be watched and are refused inside scripts.
 */
public final class LuaRun {
    /** What a finished run produced: the script's reply, its write commands, and what they depend on. */
    public record Outcome(Reply reply, List<Argv> effects, List<WatchedKey> watches) {}

    /** Thrown out of the interpreter by SCRIPT KILL; an Error so that a script's pcall cannot catch it. */
    public static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed", null, false, false);
        }
    }

    /** A compile error, with Redis' wording. */
    public static final class CompileError extends Exception {
        private static final long serialVersionUID = 1L;

        CompileError(String message) {
            super(message, null, false, false);
        }
    }

    private static final Set<String> REFUSED = Set.of("move", "swapdb");

    private final CommandTable table = CommandTable.get();
    private final Store base;
    private final Ctx ctx;
    private final List<Argv> effects = new ArrayList<>();
    private final Map<List<Object>, WatchedKey> watches = new LinkedHashMap<>();

    private final boolean readOnly;

    private LuaRun(Store store, int db, long now, boolean readOnly) {
        this.readOnly = readOnly;
        this.base = store.fork();
        // Any positive index makes the context writable; the fork's versions are never compared.
        this.ctx = new Ctx(store, db, now, Long.MAX_VALUE);
    }

    /** Compiles a script body; the prototype can be run any number of times. */
    public static Prototype compile(ByteString body) throws CompileError {
        try {
            return LuaC.instance.compile(new ByteArrayInputStream(body.toByteArray()), "@user_script");
        } catch (LuaError | IOException e) {
            throw new CompileError("ERR Error compiling script (new function): " + e.getMessage());
        }
    }

    /** The SHA1 of a script body, lower-case hex, as EVALSHA names it. */
    public static String sha1(ByteString body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(body.toByteArray());
            StringBuilder b = new StringBuilder(40);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }

    /**
     * Runs a compiled script on {@code store} (a fork the caller owns; it is written to) in database
     * {@code db} at time {@code now}; a read-only script (EVAL_RO) may not write. {@code killed} is polled
     * while the script runs.
     */
    public static Outcome run(
            Store store,
            int db,
            long now,
            Prototype script,
            List<ByteString> keys,
            List<ByteString> args,
            boolean readOnly,
            BooleanSupplier killed) {
        LuaRun run = new LuaRun(store, db, now, readOnly);
        Reply reply;
        try {
            Globals g = run.globals(killed, keys, args);
            reply = toReply(new LuaClosure(script, g).call());
        } catch (LuaError e) {
            reply = scriptError(e);
        } catch (StackOverflowError e) {
            reply = R.error("ERR Error running script: stack overflow");
        }
        return new Outcome(reply, List.copyOf(run.effects), List.copyOf(run.watches.values()));
    }

    /** A fresh sandbox: no files, no process, no Java access, no debug library; a watchdog for KILL. */
    private Globals globals(BooleanSupplier killed, List<ByteString> keys, List<ByteString> args) {
        Globals g = new Globals();
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        g.load(new Bit32Lib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        g.load(new Watchdog(killed));
        LoadState.install(g);
        LuaC.install(g);
        for (String unsafe : List.of("dofile", "loadfile", "require", "package", "debug", "print", "collectgarbage")) {
            g.set(unsafe, LuaValue.NIL);
        }
        g.set("KEYS", list(keys));
        g.set("ARGV", list(args));
        LuaTable redis = new LuaTable();
        redis.set("call", new Call(true));
        redis.set("pcall", new Call(false));
        redis.set("error_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                return tagged("err", msg.checkjstring());
            }
        });
        redis.set("status_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                return tagged("ok", msg.checkjstring());
            }
        });
        redis.set("sha1hex", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue s) {
                return LuaValue.valueOf(sha1(bytes(s.checkstring())));
            }
        });
        LuaValue nothing = new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                return LuaValue.NONE;
            }
        };
        redis.set("log", nothing);
        redis.set("setresp", nothing);
        redis.set("set_repl", nothing);
        redis.set("replicate_commands", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                return LuaValue.TRUE;
            }
        });
        String[] levels = {"LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"};
        for (int i = 0; i < levels.length; i++) {
            redis.set(levels[i], i);
        }
        g.set("redis", redis);
        return g;
    }

    /** redis.call (errors raise) and redis.pcall (errors come back as {err=...}). */
    private final class Call extends VarArgFunction {
        private final boolean raise;

        Call(boolean raise) {
            this.raise = raise;
        }

        @Override
        public Varargs invoke(Varargs a) {
            Reply r = command(a);
            if (R.isError(r) && raise) {
                throw new LuaError(tagged("err", r.getError()));
            }
            return toLua(r);
        }
    }

    private Reply command(Varargs a) {
        if (a.narg() == 0) {
            return R.error("ERR Please specify at least one argument for this redis lib call");
        }
        List<ByteString> argv = new ArrayList<>(a.narg());
        for (int i = 1; i <= a.narg(); i++) {
            LuaValue v = a.arg(i);
            if (v.type() == LuaValue.TNUMBER) {
                argv.add(ByteString.copyFromUtf8(number(v)));
            } else if (v.type() == LuaValue.TSTRING) {
                argv.add(bytes(v.checkstring()));
            } else {
                return R.error("ERR Lua redis lib command arguments must be strings or integers");
            }
        }
        CommandSpec spec = table.lookup(argv.get(0));
        if (spec == null) {
            return R.error("ERR Unknown Redis command called from script");
        }
        if (!spec.arityOk(argv.size())) {
            return R.error("ERR Wrong number of args calling Redis command from script");
        }
        String name = spec.name();
        if (spec.handler() == null || spec.is(Flag.NOSCRIPT) || spec.is(Flag.INTERNAL) || REFUSED.contains(name)) {
            return R.error("ERR This Redis command is not allowed from script");
        }
        if (readOnly && spec.is(Flag.WRITE)) {
            return R.error("ERR Write commands are not allowed from read-only scripts.");
        }
        if (spec.is(Flag.READONLY) && spec.firstKey() == 0) {
            return R.error("ERR raft-kv runs no keyless reads in scripts ('" + name
                    + "'): their effects could not be checked at apply time");
        }
        if (name.equals("copy") && argv.stream().anyMatch(x -> x.toStringUtf8().equalsIgnoreCase("db"))) {
            return R.error("ERR raft-kv runs no cross-database COPY in scripts");
        }
        int last = spec.lastKey() < 0 ? argv.size() + spec.lastKey() : spec.lastKey();
        for (int i = spec.firstKey(); i > 0 && i <= last && i < argv.size(); i += Math.max(1, spec.step())) {
            Key k = Key.of(argv.get(i));
            watches.computeIfAbsent(
                    List.of(ctx.db, k.bytes),
                    x -> WatchedKey.newBuilder()
                            .setDb(ctx.db)
                            .setKey(k.bytes)
                            .setVersion(base.version(ctx.db, k, ctx.now))
                            .build());
        }
        Reply r = table.run(ctx, argv);
        if (spec.is(Flag.WRITE) || name.equals("select")) {
            if (!R.isError(r)) {
                effects.add(Argv.newBuilder()
                        .addAllArgs(deterministic(name, argv, r))
                        .build());
            }
        }
        return r;
    }

    /** The command as the log must carry it: what a random or time-chosen write picked, made explicit. */
    private static List<ByteString> deterministic(String name, List<ByteString> argv, Reply r) {
        if (name.equals("spop")) {
            List<ByteString> srem = new ArrayList<>(List.of(ByteString.copyFromUtf8("SREM"), argv.get(1)));
            if (r.hasBulk()) {
                srem.add(r.getBulk());
            } else if (r.hasArray() || r.hasSet()) {
                for (Reply m :
                        r.hasArray() ? r.getArray().getItemsList() : r.getSet().getItemsList()) {
                    srem.add(m.getBulk());
                }
            }
            return srem.size() > 2 ? srem : List.of(ByteString.copyFromUtf8("PING"));
        }
        if (name.equals("xadd") && r.hasBulk()) {
            List<ByteString> out = new ArrayList<>(argv);
            for (int i = 2; i < out.size(); i++) {
                int rest = out.size() - i - 1;
                if (out.get(i).toStringUtf8().equals("*") && rest >= 2 && rest % 2 == 0) {
                    out.set(i, r.getBulk());
                    break;
                }
            }
            return out;
        }
        return argv;
    }

    /** Checks SCRIPT KILL every 1024 instructions. */
    private static final class Watchdog extends DebugLib {
        private final BooleanSupplier killed;
        private int count;

        Watchdog(BooleanSupplier killed) {
            this.killed = killed;
        }

        @Override
        public void onInstruction(int pc, Varargs v, int top) {
            if ((++count & 1023) == 0 && killed.getAsBoolean()) {
                throw new Killed();
            }
            super.onInstruction(pc, v, top);
        }
    }

    private static Reply scriptError(LuaError e) {
        LuaValue o = e.getMessageObject();
        if (o != null && o.istable() && o.get("err").isstring()) {
            String err = o.get("err").tojstring();
            return R.error(err.startsWith("-") ? err.substring(1) : err);
        }
        String msg = e.getMessage() == null ? "error" : e.getMessage();
        return R.error("ERR Error running script: " + msg.replace('\r', ' ').replace('\n', ' '));
    }

    private static LuaTable tagged(String field, String value) {
        LuaTable t = new LuaTable();
        t.set(field, value);
        return t;
    }

    private static LuaTable list(List<ByteString> items) {
        LuaTable t = new LuaTable();
        for (int i = 0; i < items.size(); i++) {
            t.set(i + 1, LuaString.valueOf(items.get(i).toByteArray()));
        }
        return t;
    }

    private static ByteString bytes(LuaString s) {
        return ByteString.copyFrom(s.m_bytes, s.m_offset, s.m_length);
    }

    /** A Lua number as a command argument: integers without a fraction, others in full precision. */
    private static String number(LuaValue v) {
        return number(v.todouble());
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d);
        }
        return Double.isFinite(d)
                ? new java.math.BigDecimal(d)
                        .round(java.math.MathContext.DECIMAL64)
                        .toString()
                : Double.toString(d);
    }

    /** A Redis reply as Lua sees it (Redis' RESP2 conversion). */
    static LuaValue toLua(Reply r) {
        switch (r.getRCase()) {
            case STATUS:
                return tagged("ok", r.getStatus());
            case ERROR:
                return tagged("err", r.getError());
            case INTEGER:
                return LuaValue.valueOf((double) r.getInteger());
            case BULK:
                return LuaString.valueOf(r.getBulk().toByteArray());
            case DOUBLE:
                return LuaValue.valueOf(number(r.getDouble()));
            case ARRAY:
            case MAP:
            case SET: {
                List<Reply> items = r.hasArray()
                        ? r.getArray().getItemsList()
                        : r.hasMap() ? r.getMap().getItemsList() : r.getSet().getItemsList();
                LuaTable t = new LuaTable();
                for (int i = 0; i < items.size(); i++) {
                    t.set(i + 1, toLua(items.get(i)));
                }
                return t;
            }
            default:
                return LuaValue.FALSE;
        }
    }

    /** A Lua value as the script's reply (Redis' conversion: numbers truncate, arrays stop at nil). */
    static Reply toReply(LuaValue v) {
        switch (v.type()) {
            case LuaValue.TNUMBER:
                return R.integer((long) v.todouble());
            case LuaValue.TSTRING:
                return R.bulk(bytes(v.checkstring()));
            case LuaValue.TBOOLEAN:
                return v.toboolean() ? R.ONE : R.NIL;
            case LuaValue.TTABLE: {
                LuaValue err = v.get("err");
                if (err.isstring()) {
                    return R.error(err.tojstring());
                }
                LuaValue ok = v.get("ok");
                if (ok.isstring()) {
                    return R.status(ok.tojstring());
                }
                List<Reply> items = new ArrayList<>();
                for (int i = 1; ; i++) {
                    LuaValue item = v.get(i);
                    if (item.isnil()) {
                        break;
                    }
                    items.add(toReply(item));
                }
                return R.array(items);
            }
            default:
                return R.NIL;
        }
    }
}
