package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.raftmanager.examples.kv.KvCodec;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.ReadMode;
import io.raftmanager.examples.kv.proto.KvCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Parses and runs one RESP command. Arity and argument checks happen here, on the node the client talks
 * to; writes and linearizable reads then go to the leader ({@link LeaderRouter}), stale reads stay local.
 */
final class KvCommands {
    private final LeaderRouter router;
    private final KvReads reads;
    private final InfoReply info;

    KvCommands(KvNode node, Forwarder forwarder) {
        this.router = new LeaderRouter(node, forwarder);
        this.reads = new KvReads(node);
        this.info = new InfoReply(node);
    }

    /** Runs {@code args} (command name first); a null future means "no reply" (an empty request). */
    CompletableFuture<RedisMessage> execute(Session s, List<byte[]> args) {
        if (args.isEmpty()) {
            return null;
        }
        String name = text(args.get(0)).toUpperCase(Locale.ROOT);
        if (name.equals(Forwarder.FORWARD_COMMAND)) {
            return args.size() < 2 ? done(Replies.wrongArity(name)) : run(s, args.subList(1, args.size()), true);
        }
        return run(s, args, false);
    }

    private CompletableFuture<RedisMessage> run(Session s, List<byte[]> args, boolean fwd) {
        String name = text(args.get(0)).toUpperCase(Locale.ROOT);
        int n = args.size() - 1;
        switch (name) {
            case "PING":
                return n == 0
                        ? done(new SimpleStringRedisMessage("PONG"))
                        : n == 1 ? done(Replies.bulk(args.get(1))) : done(Replies.wrongArity(name));
            case "ECHO":
                return n == 1 ? done(Replies.bulk(args.get(1))) : done(Replies.wrongArity(name));
            case "GET":
                return n == 1 ? reads.read(s, args, KvCodec.get(bs(args.get(1))), fwd) : done(Replies.wrongArity(name));
            case "MGET":
                return n >= 1 ? reads.read(s, args, KvCodec.mget(keys(args, 1)), fwd) : done(Replies.wrongArity(name));
            case "EXISTS":
                return n >= 1
                        ? reads.read(s, args, KvCodec.exists(keys(args, 1)), fwd)
                        : done(Replies.wrongArity(name));
            case "DBSIZE":
                return n == 0 ? reads.read(s, args, KvCodec.dbsize(), fwd) : done(Replies.wrongArity(name));
            case "SET":
                if (n < 2) {
                    return done(Replies.wrongArity(name));
                }
                return n == 2
                        ? write(args, KvCodec.set(bs(args.get(1)), bs(args.get(2))), fwd)
                        : done(Replies.error("ERR syntax error")); // EX/PX/NX/XX are not supported
            case "DEL":
                return n >= 1 ? write(args, KvCodec.del(keys(args, 1)), fwd) : done(Replies.wrongArity(name));
            case "INCR":
            case "DECR":
                return n == 1
                        ? write(args, KvCodec.incrBy(bs(args.get(1)), name.equals("INCR") ? 1 : -1), fwd)
                        : done(Replies.wrongArity(name));
            case "INCRBY":
            case "DECRBY":
                return n == 2 ? incrBy(args, name.equals("DECRBY"), fwd) : done(Replies.wrongArity(name));
            case "MSET":
                return n >= 2 && n % 2 == 0
                        ? write(args, KvCodec.mset(keys(args, 1)), fwd)
                        : done(Replies.wrongArity(name));
            case "CAS":
                return n == 3
                        ? write(args, KvCodec.cas(bs(args.get(1)), bs(args.get(2)), bs(args.get(3))), fwd)
                        : done(Replies.wrongArity(name));
            case "INFO":
                return n <= 1 ? info.reply(s, n == 1 ? text(args.get(1)) : "default") : done(Replies.wrongArity(name));
            case "READMODE":
                return readMode(s, args, n);
            case "CLIENT":
                return client(s, args, n);
            case "COMMAND":
                return n >= 1 && text(args.get(1)).equalsIgnoreCase("COUNT")
                        ? done(new IntegerRedisMessage(0))
                        : done(ArrayRedisMessage.EMPTY_INSTANCE); // enough for redis-cli's start-up
            case "CONFIG":
                return n >= 1 && text(args.get(1)).equalsIgnoreCase("GET")
                        ? done(ArrayRedisMessage.EMPTY_INSTANCE)
                        : done(Replies.error("ERR CONFIG is not supported"));
            case "SELECT":
                return n != 1
                        ? done(Replies.wrongArity(name))
                        : text(args.get(1)).equals("0")
                                ? done(Replies.OK)
                                : done(Replies.error("ERR DB index is out of range"));
            case "QUIT":
                s.closeAfterReplies = true;
                return done(Replies.OK);
            default:
                return done(Replies.error(unknownCommand(args)));
        }
    }

    private CompletableFuture<RedisMessage> incrBy(List<byte[]> args, boolean negate, boolean fwd) {
        OptionalLong delta = KvCodec.parseLong(bs(args.get(2)));
        if (delta.isEmpty()) {
            return done(Replies.error(KvCodec.NOT_AN_INTEGER));
        }
        long d = delta.getAsLong();
        if (negate && d == Long.MIN_VALUE) {
            return done(Replies.error("ERR decrement would overflow"));
        }
        return write(args, KvCodec.incrBy(bs(args.get(1)), negate ? -d : d), fwd);
    }

    private CompletableFuture<RedisMessage> write(List<byte[]> args, KvCommand command, boolean fwd) {
        return router.run(args, command, fwd, true);
    }

    private static CompletableFuture<RedisMessage> readMode(Session s, List<byte[]> args, int n) {
        if (n == 0) {
            return done(Replies.bulk(s.readMode.wireName()));
        }
        if (n > 1) {
            return done(Replies.wrongArity("READMODE"));
        }
        return ReadMode.parse(text(args.get(1)))
                .map(m -> {
                    s.readMode = m;
                    return done(Replies.OK);
                })
                .orElseGet(() -> done(Replies.error(
                        "ERR unknown read mode '" + text(args.get(1)) + "' (linearizable, lease, follower, stale)")));
    }

    private static CompletableFuture<RedisMessage> client(Session s, List<byte[]> args, int n) {
        String sub = n >= 1 ? text(args.get(1)).toUpperCase(Locale.ROOT) : "";
        switch (sub) {
            case "SETNAME":
                if (n != 2) {
                    return done(Replies.wrongArity("CLIENT|SETNAME"));
                }
                s.name = text(args.get(2));
                return done(Replies.OK);
            case "GETNAME":
                return done(Replies.bulk(s.name));
            case "SETINFO":
                return done(Replies.OK);
            default:
                return done(Replies.error("ERR unknown subcommand '" + sub.toLowerCase(Locale.ROOT)
                        + "'. Try CLIENT SETNAME or CLIENT GETNAME."));
        }
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
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[\\r\\n]", " ");
    }

    private static CompletableFuture<RedisMessage> done(RedisMessage m) {
        return CompletableFuture.completedFuture(m);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ByteString bs(byte[] b) {
        return ByteString.copyFrom(b);
    }

    private static List<ByteString> keys(List<byte[]> args, int from) {
        List<ByteString> out = new ArrayList<>(args.size() - from);
        for (int i = from; i < args.size(); i++) {
            out.add(bs(args.get(i)));
        }
        return out;
    }
}
