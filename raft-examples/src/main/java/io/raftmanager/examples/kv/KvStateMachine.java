package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.examples.kv.proto.Announce;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.KvQuery;
import io.raftmanager.examples.kv.proto.KvResult;
import io.raftmanager.examples.kv.proto.Member;
import io.raftmanager.examples.kv.proto.Nodes;
import io.raftmanager.examples.kv.proto.OptionalValue;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.Values;
import io.raftmanager.examples.kv.proto.WatchedKey;
import io.raftmanager.examples.kv.redis.CommandTable;
import io.raftmanager.examples.kv.redis.Ctx;
import io.raftmanager.examples.kv.redis.Key;
import io.raftmanager.examples.kv.redis.R;
import io.raftmanager.examples.kv.redis.Store;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The replicated Redis data: applies {@link KvCommand}s and answers {@link KvQuery}s. Deterministic: a
 * result depends only on the state and the entry. Errors (INCR on a non-integer, WRONGTYPE) are replies,
 * not exceptions, and leave the state unchanged, as in Redis.
 *
 * <p>Time: an entry's {@code RedisOps.time_millis} is the leader's wall clock when it proposed it; the
 * store's clock is the largest such time applied, and expiry in the log is judged against it only. A
 * read judges expiry against the later of that clock and this node's wall clock (the read is served
 * after it was linearized, so a key expired at the linearization point is expired then too, as long as
 * node clocks agree within the skew the README states).
 *
 * <p>Besides the data, it keeps the directory of client addresses that leaders announced; that map is
 * also readable from other threads ({@link #announced}) so followers can find where to forward.
 *
 * <p>Snapshots: the databases are persistent sorted maps, so {@link #snapshot} only keeps references
 * (O(1)), and {@link KvSnapshot} streams them out while applies go on.
 */
public final class KvStateMachine implements StateMachine {
    /** Redis' default number of databases. */
    public static final int DEFAULT_DATABASES = 16;

    private final Store store;
    private final CommandTable table = CommandTable.get();
    private final LongSupplier wallClock;
    private final Map<Long, Announce> directory = new ConcurrentHashMap<>();
    private final Map<Long, String> memberAddresses = new ConcurrentHashMap<>();
    private final Consumer<Member> onMember;
    private volatile long appliedIndex;
    private volatile long restoredIndex;
    private volatile long snapshotIndex;

    /** A state machine that ignores member records (for tests). */
    public KvStateMachine() {
        this(m -> {});
    }

    /** @param onMember told, on the applying thread, of every member record applied */
    public KvStateMachine(Consumer<Member> onMember) {
        this(onMember, DEFAULT_DATABASES, System::currentTimeMillis);
    }

    /**
     * @param databases the number of Redis databases (SELECT 0..databases-1); every replica must agree
     * @param wallClock this node's clock in milliseconds, for judging expiry in reads
     */
    public KvStateMachine(Consumer<Member> onMember, int databases, LongSupplier wallClock) {
        this.onMember = onMember;
        this.store = new Store(databases);
        this.wallClock = wallClock;
    }

    /** A map update or lookup costs microseconds and never blocks: apply on the group's event loop. */
    @Override
    public boolean applyOnEventLoop() {
        return true;
    }

    @Override
    public ByteString apply(long index, ByteString command) {
        appliedIndex = index;
        KvCommand c;
        try {
            c = KvCodec.parseCommand(command);
        } catch (IllegalArgumentException e) {
            // Every server sees the same bytes and gives the same answer, so this stays deterministic.
            return KvCodec.error("ERR malformed command").toByteString();
        }
        if (c.getOpCase() == KvCommand.OpCase.REDIS) {
            return applyRedis(index, c.getRedis()).toByteString();
        }
        return apply(index, c).toByteString();
    }

    /** Applies a batch of Redis commands: one command, or a MULTI/EXEC transaction with its watches. */
    Reply applyRedis(long index, RedisOps op) {
        store.advanceClock(op.getTimeMillis());
        if (op.getDb() >= store.databases()) {
            return R.DB_RANGE;
        }
        long now = store.clock();
        Ctx ctx = new Ctx(store, op.getDb(), now, index);
        if (!op.getTransaction()) {
            return op.getCommandsCount() == 1 ? table.run(ctx, op.getCommands(0).getArgsList()) : R.SYNTAX;
        }
        for (WatchedKey w : op.getWatchesList()) {
            if (w.getDb() >= store.databases() || store.version(w.getDb(), Key.of(w.getKey()), now) != w.getVersion()) {
                return R.NULL_ARRAY;
            }
        }
        List<Reply> replies = new ArrayList<>(op.getCommandsCount());
        for (Argv argv : op.getCommandsList()) {
            replies.add(table.run(ctx, argv.getArgsList()));
        }
        return R.array(replies);
    }

    /** Applies one decoded command of the older, per-operation format (logs written by earlier builds). */
    public KvResult apply(long index, KvCommand c) {
        switch (c.getOpCase()) {
            case SET:
                return legacy(
                        index, List.of(b("SET"), c.getSet().getKey(), c.getSet().getValue()));
            case DEL:
                return legacy(index, withName("DEL", c.getDel().getKeysList()));
            case INCR_BY:
                return legacy(
                        index,
                        List.of(
                                b("INCRBY"),
                                c.getIncrBy().getKey(),
                                b(Long.toString(c.getIncrBy().getDelta()))));
            case MSET: {
                List<ByteString> argv = new ArrayList<>();
                argv.add(b("MSET"));
                for (int i = 0; i < c.getMset().getKeysCount(); i++) {
                    argv.add(c.getMset().getKeys(i));
                    argv.add(c.getMset().getValues(i));
                }
                return legacy(index, argv);
            }
            case CAS:
                return legacy(
                        index,
                        List.of(
                                b("CAS"),
                                c.getCas().getKey(),
                                c.getCas().getExpected(),
                                c.getCas().getValue()));
            case READ:
                return query(c.getRead());
            case ANNOUNCE:
                directory.put(c.getAnnounce().getNodeId(), c.getAnnounce());
                return KvCodec.ok();
            case MEMBER:
                memberAddresses.put(c.getMember().getNodeId(), c.getMember().getRaftAddress());
                onMember.accept(c.getMember());
                return KvCodec.ok();
            case REDIS:
                return toResult(applyRedis(index, c.getRedis()));
            default:
                return KvCodec.error("ERR unknown operation");
        }
    }

    /** Applies one decoded command (tests); the index only sets the versions of keys it writes. */
    public KvResult apply(KvCommand c) {
        return apply(Math.max(1, appliedIndex + 1), c);
    }

    private KvResult legacy(long index, List<ByteString> argv) {
        return toResult(table.run(new Ctx(store, 0, store.clock(), Math.max(1, index)), argv));
    }

    private static List<ByteString> withName(String name, List<ByteString> rest) {
        List<ByteString> argv = new ArrayList<>(rest.size() + 1);
        argv.add(b(name));
        argv.addAll(rest);
        return argv;
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** The older result format, for the older command and query formats. */
    static KvResult toResult(Reply r) {
        switch (r.getRCase()) {
            case STATUS:
                return KvResult.newBuilder().setStatus(r.getStatus()).build();
            case INTEGER:
                return KvCodec.integer(r.getInteger());
            case BULK:
                return KvResult.newBuilder().setBulk(r.getBulk()).build();
            case ERROR:
                return KvCodec.error(r.getError());
            case ARRAY: {
                Values.Builder v = Values.newBuilder();
                for (Reply item : r.getArray().getItemsList()) {
                    v.addValues(
                            item.hasBulk()
                                    ? OptionalValue.newBuilder()
                                            .setPresent(true)
                                            .setValue(item.getBulk())
                                            .build()
                                    : OptionalValue.getDefaultInstance());
                }
                return KvResult.newBuilder().setArray(v).build();
            }
            default:
                return KvResult.newBuilder().setNil(true).build();
        }
    }

    @Override
    public ByteString query(ByteString query) {
        KvQuery q;
        try {
            q = KvCodec.parseQuery(query);
        } catch (IllegalArgumentException e) {
            return KvCodec.error("ERR malformed query").toByteString();
        }
        if (q.getQCase() == KvQuery.QCase.REDIS) {
            return queryRedis(q.getRedis()).toByteString();
        }
        return query(q).toByteString();
    }

    /** Runs a read-only Redis command at this node's time (never behind the applied entries). */
    Reply queryRedis(RedisRead q) {
        if (q.getDb() >= store.databases()) {
            return R.DB_RANGE;
        }
        long now = Math.max(store.clock(), wallClock.getAsLong());
        return table.run(new Ctx(store, q.getDb(), now, 0), q.getArgsList());
    }

    /** Answers one decoded query of the older format; visible for tests. */
    public KvResult query(KvQuery q) {
        switch (q.getQCase()) {
            case GET:
                return readLegacy(List.of(b("GET"), q.getGet().getKey()));
            case MGET:
                return readLegacy(withName("MGET", q.getMget().getKeysList()));
            case EXISTS:
                return readLegacy(withName("EXISTS", q.getExists().getKeysList()));
            case DBSIZE:
                return readLegacy(List.of(b("DBSIZE")));
            case DIRECTORY:
                return KvResult.newBuilder()
                        .setNodes(Nodes.newBuilder().addAllNodes(new TreeMap<>(directory).values()))
                        .build();
            case REDIS:
                return toResult(queryRedis(q.getRedis()));
            default:
                return KvCodec.error("ERR unknown query");
        }
    }

    private KvResult readLegacy(List<ByteString> argv) {
        return toResult(table.run(new Ctx(store, 0, Math.max(store.clock(), wallClock.getAsLong()), 0), argv));
    }

    @Override
    public StateSnapshot snapshot(long index) {
        snapshotIndex = index;
        return new KvSnapshot(new KvSnapshot.Contents(
                store.view(), store.clock(), new TreeMap<>(directory), new TreeMap<>(memberAddresses)));
    }

    /**
     * Replaces the state with a snapshot's. The member records are replayed to the member listener, so
     * the transport learns the addresses of servers added after the snapshot's origin last restarted.
     *
     * @throws KvSnapshotFormatException if the bytes are not a raft-kv snapshot, or hold more databases
     *     than this node runs with; the state is then unchanged
     */
    @Override
    public void restore(SnapshotInfo meta, InputStream in) throws IOException {
        KvSnapshot.Contents c = KvSnapshot.read(in, store.databases());
        store.restore(c.dbs(), c.clock());
        directory.clear();
        directory.putAll(c.directory());
        memberAddresses.clear();
        memberAddresses.putAll(c.members());
        appliedIndex = meta.index();
        restoredIndex = meta.index();
        c.members()
                .forEach((id, address) -> onMember.accept(Member.newBuilder()
                        .setNodeId(id)
                        .setRaftAddress(address)
                        .build()));
    }

    /** The number of databases. */
    public int databases() {
        return store.databases();
    }

    /** The applied index of the last snapshot captured here (0 if none); safe to call from any thread. */
    public long snapshotIndex() {
        return snapshotIndex;
    }

    /** The index of the last snapshot this machine restored (0 if none); safe to call from any thread. */
    public long restoredIndex() {
        return restoredIndex;
    }

    /** The client addresses announced by leaders, by node id; safe to call from any thread. */
    public Map<Long, Announce> announced() {
        return Map.copyOf(directory);
    }

    /** What node {@code nodeId} announced as leader, or null; safe to call from any thread. */
    public Announce announcement(long nodeId) {
        return directory.get(nodeId);
    }

    /** The Raft addresses of servers added through the admin API, by node id; safe from any thread. */
    public Map<Long, String> memberAddresses() {
        return Map.copyOf(memberAddresses);
    }

    /** The Raft address logged for {@code nodeId}, or null; safe from any thread. */
    public String memberAddress(long nodeId) {
        return memberAddresses.get(nodeId);
    }

    /** The index of the last applied entry; safe to call from any thread. */
    public long appliedIndex() {
        return appliedIndex;
    }

    /** Number of keys in database 0; for tests only (not thread-safe against apply). */
    int size() {
        return store.db(0).size();
    }
}
