package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.redis.CommandSpec;
import io.raftmanager.examples.kv.redis.R;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Data commands when the keys are sharded over several groups ({@code --groups N}). A command whose keys
 * all fall in one group runs in that group, exactly as without sharding. Across groups, as in Redis
 * Cluster, a multi-key command is refused with {@code CROSSSLOT}, except MGET, which reads each group
 * linearizably (each key is read at a point inside the request; the keys of different groups are not
 * read at one common point). Keyless commands span the groups: FLUSHDB, FLUSHALL and SWAPDB run in every
 * group, DBSIZE adds up, KEYS concatenates, SCAN walks the groups one after another (the group is encoded
 * in the cursor's low bits) and RANDOMKEY asks the groups in turn from a random one.
 */
final class ShardedCommands {
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    /** The command's keys span several groups. */
    static final int MIXED = -3;

    private final KvNode node;
    private final LeaderRouter router;
    private final KvReads reads;

    ShardedCommands(KvNode node, LeaderRouter router, KvReads reads) {
        this.node = node;
        this.router = router;
        this.reads = reads;
    }

    /** The keys of a command, by its table entry (XREADGROUP: the streams after STREAMS). */
    static List<ByteString> keys(CommandSpec spec, List<ByteString> argv) {
        List<ByteString> out = new ArrayList<>();
        int argc = argv.size();
        if (spec.name().equals("xreadgroup") || spec.name().equals("xread")) {
            for (int i = 1; i < argc; i++) {
                if (argv.get(i).toStringUtf8().equalsIgnoreCase("streams")) {
                    int n = (argc - i - 1) / 2;
                    for (int k = 0; k < n; k++) {
                        out.add(argv.get(i + 1 + k));
                    }
                    break;
                }
            }
            return out;
        }
        if (spec.firstKey() <= 0) {
            return out;
        }
        int last = spec.lastKey() < 0 ? argc + spec.lastKey() : spec.lastKey();
        int step = Math.max(1, spec.step());
        for (int i = spec.firstKey(); i <= last && i < argc; i += step) {
            out.add(argv.get(i));
        }
        return out;
    }

    /** EVAL's declared keys (after numkeys); none when numkeys is not a valid count (EVAL answers that). */
    static List<ByteString> scriptKeys(List<byte[]> args) {
        if (args.size() < 3) {
            return List.of();
        }
        java.util.OptionalLong n = io.raftmanager.examples.kv.KvCodec.parseLong(ByteString.copyFrom(args.get(2)));
        if (n.isEmpty() || n.getAsLong() < 0 || n.getAsLong() > args.size() - 3) {
            return List.of();
        }
        List<ByteString> out = new ArrayList<>();
        for (int i = 3; i < 3 + n.getAsLong(); i++) {
            out.add(ByteString.copyFrom(args.get(i)));
        }
        return out;
    }

    /** The group all of {@code keys} are in; {@link KvCommands#NO_GROUP} for none, {@link #MIXED} for several. */
    int groupOf(List<ByteString> keys) {
        int g = KvCommands.NO_GROUP;
        for (ByteString k : keys) {
            int kg = node.slots().groupOf(k);
            if (g == KvCommands.NO_GROUP) {
                g = kg;
            } else if (g != kg) {
                return MIXED;
            }
        }
        return g;
    }

    /** Where a data command goes: its keys' group, or {@link KvCommands#ALL_GROUPS} when it spans groups. */
    int route(CommandSpec spec, List<ByteString> argv) {
        int g = groupOf(keys(spec, argv));
        return g >= 0 ? g : KvCommands.ALL_GROUPS;
    }

    /**
     * Checks a command queued in MULTI: its keys must share the group of the transaction's other keys
     * (queued or watched). Returns the error to answer, or null when it may be queued.
     */
    Reply queue(Session s, CommandSpec spec, List<ByteString> argv) {
        List<ByteString> keys = keys(spec, argv);
        int g = groupOf(keys);
        if (g == KvCommands.NO_GROUP) {
            return keyless(spec.name()) ? R.error(CROSSSLOT) : null;
        }
        if (g == MIXED || (s.txGroup != KvCommands.NO_GROUP && s.txGroup != g)) {
            return R.error(CROSSSLOT);
        }
        s.txGroup = g;
        return null;
    }

    /** Keyless data commands span every group, so cannot run inside one group's transaction. */
    private static boolean keyless(String name) {
        return switch (name) {
            case "flushdb", "flushall", "swapdb", "dbsize", "keys", "scan", "randomkey" -> true;
            default -> false;
        };
    }

    /** Runs a data command (WRITE or READONLY) over the groups. */
    CompletableFuture<RedisMessage> execute(Session s, CommandSpec spec, List<ByteString> argv, boolean write) {
        String name = spec.name();
        int g = groupOf(keys(spec, argv));
        if (g >= 0) {
            return write ? router.run(ops(s, argv), s.id, false, shard(g)) : read(s, argv, shard(g));
        }
        if (g == MIXED) {
            return name.equals("mget") ? mget(s, argv) : done(R.error(CROSSSLOT));
        }
        switch (name) {
            case "flushdb":
            case "flushall":
            case "swapdb":
                return everyGroup(s, argv);
            case "dbsize":
                return readAll(s, argv).thenApply(replies -> {
                    long total = 0;
                    for (Reply r : replies) {
                        if (r.hasError()) {
                            return new ReplyMessage(r);
                        }
                        total += r.getInteger();
                    }
                    return new ReplyMessage(R.integer(total));
                });
            case "keys":
                return readAll(s, argv).thenApply(replies -> {
                    List<Reply> all = new ArrayList<>();
                    for (Reply r : replies) {
                        if (r.hasError() || !r.hasArray()) {
                            return new ReplyMessage(r);
                        }
                        all.addAll(r.getArray().getItemsList());
                    }
                    return new ReplyMessage(R.array(all));
                });
            case "randomkey":
                int n = node.shards().size();
                return randomKey(s, argv, ThreadLocalRandom.current().nextInt(n), n);
            case "scan":
                return scan(s, argv);
            default:
                return done(R.error("ERR '" + name + "' is not supported with --groups > 1"));
        }
    }

    private Shard shard(int g) {
        return node.shards().get(g);
    }

    private static RedisOps ops(Session s, List<ByteString> argv) {
        return RedisOps.newBuilder()
                .setDb(s.db)
                .addCommands(Argv.newBuilder().addAllArgs(argv))
                .build();
    }

    private CompletableFuture<RedisMessage> read(Session s, List<ByteString> argv, Shard shard) {
        return reads.reply(
                        s, RedisRead.newBuilder().setDb(s.db).addAllArgs(argv).build(), shard)
                .handle((r, err) -> err == null ? new ReplyMessage(r) : Replies.failure(err, false));
    }

    /** The reply of every group, in group order; a group that fails answers its error. */
    private CompletableFuture<List<Reply>> readAll(Session s, List<ByteString> argv) {
        List<CompletableFuture<Reply>> parts = new ArrayList<>();
        for (Shard shard : node.shards()) {
            parts.add(reads.reply(
                            s,
                            RedisRead.newBuilder().setDb(s.db).addAllArgs(argv).build(),
                            shard)
                    .exceptionally(e -> R.error(errorText(Replies.failure(e, false)))));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Reply> out = new ArrayList<>(parts.size());
            parts.forEach(p -> out.add(p.join()));
            return out;
        });
    }

    /** MGET across groups: one MGET per group with its keys, the values put back in request order. */
    private CompletableFuture<RedisMessage> mget(Session s, List<ByteString> argv) {
        int n = node.shards().size();
        List<List<Integer>> positions = new ArrayList<>(n);
        for (int g = 0; g < n; g++) {
            positions.add(new ArrayList<>());
        }
        for (int i = 1; i < argv.size(); i++) {
            positions.get(node.slots().groupOf(argv.get(i))).add(i);
        }
        List<CompletableFuture<Reply>> parts = new ArrayList<>(n);
        for (int g = 0; g < n; g++) {
            if (positions.get(g).isEmpty()) {
                parts.add(CompletableFuture.completedFuture(null));
                continue;
            }
            RedisRead.Builder r = RedisRead.newBuilder().setDb(s.db).addArgs(argv.get(0));
            positions.get(g).forEach(i -> r.addArgs(argv.get(i)));
            parts.add(reads.reply(s, r.build(), shard(g)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, err) -> {
            if (err != null) {
                return Replies.failure(err, false);
            }
            Reply[] values = new Reply[argv.size() - 1];
            for (int g = 0; g < n; g++) {
                Reply part = parts.get(g).join();
                if (part == null) {
                    continue;
                }
                if (!part.hasArray()) {
                    return new ReplyMessage(part);
                }
                List<Integer> at = positions.get(g);
                for (int k = 0; k < at.size(); k++) {
                    values[at.get(k) - 1] = part.getArray().getItems(k);
                }
            }
            return new ReplyMessage(R.array(List.of(values)));
        });
    }

    /** A keyless write in every group; the first error, else the first group's reply. */
    private CompletableFuture<RedisMessage> everyGroup(Session s, List<ByteString> argv) {
        RedisOps ops = ops(s, argv);
        List<CompletableFuture<RedisMessage>> parts = new ArrayList<>();
        for (Shard shard : node.shards()) {
            parts.add(router.run(ops, s.id, false, shard));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (CompletableFuture<RedisMessage> p : parts) {
                RedisMessage m = p.join();
                if (m instanceof ErrorRedisMessage
                        || (m instanceof ReplyMessage
                                && ((ReplyMessage) m).reply().hasError())) {
                    return m;
                }
            }
            return parts.get(0).join();
        });
    }

    private CompletableFuture<RedisMessage> randomKey(Session s, List<ByteString> argv, int g, int left) {
        return reads.reply(
                        s, RedisRead.newBuilder().setDb(s.db).addAllArgs(argv).build(), shard(g))
                .handle((r, err) -> {
                    if (err != null) {
                        return done(Replies.failure(err, false));
                    }
                    if (r.hasNil() && left > 1) {
                        return randomKey(s, argv, (g + 1) % node.shards().size(), left - 1);
                    }
                    return done(r);
                })
                .thenCompose(f -> f);
    }

    /**
     * SCAN: the cursor's low bits name the group, the rest is that group's cursor (a key hash, rounded
     * down to free the low bits: a page may repeat a few keys, which SCAN allows, but never skips one);
     * when a group's scan ends the cursor moves to the next group.
     */
    private CompletableFuture<RedisMessage> scan(Session s, List<ByteString> argv) {
        int n = node.shards().size();
        long mask = (1L << (32 - Integer.numberOfLeadingZeros(n - 1))) - 1;
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(argv.get(1).toStringUtf8());
        } catch (NumberFormatException e) {
            return done(R.error("ERR invalid cursor"));
        }
        int g = (int) (cursor & mask);
        if (g >= n) {
            return done(R.error("ERR invalid cursor"));
        }
        List<ByteString> args = new ArrayList<>(argv);
        args.set(1, ByteString.copyFromUtf8(Long.toUnsignedString(cursor & ~mask)));
        return reads.reply(
                        s, RedisRead.newBuilder().setDb(s.db).addAllArgs(args).build(), shard(g))
                .handle((r, err) -> {
                    if (err != null) {
                        return Replies.failure(err, false);
                    }
                    if (!r.hasArray() || r.getArray().getItemsCount() != 2) {
                        return new ReplyMessage(r);
                    }
                    long next = Long.parseUnsignedLong(
                            r.getArray().getItems(0).getBulk().toStringUtf8());
                    long outer;
                    if (next == 0) {
                        outer = g + 1 < n ? g + 1 : 0;
                    } else {
                        long rounded = next & ~mask;
                        outer = (rounded == 0 ? mask + 1 : rounded) | g;
                    }
                    return new ReplyMessage(R.array(List.of(
                            R.bulk(Long.toUnsignedString(outer)), r.getArray().getItems(1))));
                });
    }

    private static String errorText(RedisMessage m) {
        if (m instanceof ErrorRedisMessage) {
            return ((ErrorRedisMessage) m).content();
        }
        if (m instanceof ReplyMessage && ((ReplyMessage) m).reply().hasError()) {
            return ((ReplyMessage) m).reply().getError();
        }
        return "ERR " + m;
    }

    private static CompletableFuture<RedisMessage> done(RedisMessage m) {
        return CompletableFuture.completedFuture(m);
    }

    private static CompletableFuture<RedisMessage> done(Reply r) {
        return CompletableFuture.completedFuture(new ReplyMessage(r));
    }

    static String lower(ByteString b) {
        return b.toStringUtf8().toLowerCase(Locale.ROOT);
    }
}
