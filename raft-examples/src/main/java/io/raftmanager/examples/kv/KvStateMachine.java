package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.examples.kv.proto.Announce;
import io.raftmanager.examples.kv.proto.Cas;
import io.raftmanager.examples.kv.proto.IncrBy;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.KvQuery;
import io.raftmanager.examples.kv.proto.KvResult;
import io.raftmanager.examples.kv.proto.MSet;
import io.raftmanager.examples.kv.proto.Member;
import io.raftmanager.examples.kv.proto.Nodes;
import io.raftmanager.examples.kv.proto.OptionalValue;
import io.raftmanager.examples.kv.proto.Values;
import io.raftmanager.proto.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The replicated map: applies {@link KvCommand}s and answers {@link KvQuery}s, returning {@link
 * KvResult}s. Deterministic: a result depends only on the state and the command. Errors (INCR on a
 * non-integer, overflow) are results, not exceptions, and leave the state unchanged, as in Redis.
 *
 * <p>Besides the data, it keeps the directory of client addresses that leaders announced; that map is
 * also readable from other threads ({@link #announced}) so followers can find where to forward.
 *
 * <p>Snapshots: the data is a persistent sorted map (pcollections), so {@link #snapshot} only keeps a
 * reference to the current version (O(1); each write costs O(log n) and shares the rest), and {@link
 * KvSnapshot} streams it out while applies go on. The directories are small and copied.
 */
public final class KvStateMachine implements StateMachine {
    private PSortedMap<ByteString, ByteString> data = TreePMap.empty(KvSnapshot.KEY_ORDER);
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
        this.onMember = onMember;
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
        return apply(c).toByteString();
    }

    /** Applies one decoded command; visible for tests. */
    public KvResult apply(KvCommand c) {
        switch (c.getOpCase()) {
            case SET:
                data = data.plus(c.getSet().getKey(), c.getSet().getValue());
                return KvCodec.ok();
            case DEL:
                long removed = 0;
                for (ByteString k : c.getDel().getKeysList()) {
                    if (data.containsKey(k)) {
                        data = data.minus(k);
                        removed++;
                    }
                }
                return KvCodec.integer(removed);
            case INCR_BY:
                return incrBy(c.getIncrBy());
            case MSET:
                MSet m = c.getMset();
                for (int i = 0; i < m.getKeysCount(); i++) {
                    data = data.plus(m.getKeys(i), m.getValues(i));
                }
                return KvCodec.ok();
            case CAS:
                return cas(c.getCas());
            case READ:
                return query(c.getRead());
            case ANNOUNCE:
                directory.put(c.getAnnounce().getNodeId(), c.getAnnounce());
                return KvCodec.ok();
            case MEMBER:
                memberAddresses.put(c.getMember().getNodeId(), c.getMember().getRaftAddress());
                onMember.accept(c.getMember());
                return KvCodec.ok();
            default:
                return KvCodec.error("ERR unknown operation");
        }
    }

    private KvResult incrBy(IncrBy op) {
        ByteString current = data.get(op.getKey());
        long base = 0;
        if (current != null) {
            OptionalLong parsed = KvCodec.parseLong(current);
            if (parsed.isEmpty()) {
                return KvCodec.error(KvCodec.NOT_AN_INTEGER);
            }
            base = parsed.getAsLong();
        }
        long next;
        try {
            next = Math.addExact(base, op.getDelta());
        } catch (ArithmeticException e) {
            return KvCodec.error(KvCodec.OVERFLOW);
        }
        data = data.plus(op.getKey(), ByteString.copyFromUtf8(Long.toString(next)));
        return KvCodec.integer(next);
    }

    private KvResult cas(Cas op) {
        ByteString current = data.get(op.getKey());
        if (current == null || !current.equals(op.getExpected())) {
            return KvCodec.integer(0);
        }
        data = data.plus(op.getKey(), op.getValue());
        return KvCodec.integer(1);
    }

    @Override
    public ByteString query(ByteString query) {
        KvQuery q;
        try {
            q = KvCodec.parseQuery(query);
        } catch (IllegalArgumentException e) {
            return KvCodec.error("ERR malformed query").toByteString();
        }
        return query(q).toByteString();
    }

    /** Answers one decoded query; visible for tests. */
    public KvResult query(KvQuery q) {
        switch (q.getQCase()) {
            case GET:
                ByteString v = data.get(q.getGet().getKey());
                return v == null
                        ? KvResult.newBuilder().setNil(true).build()
                        : KvResult.newBuilder().setBulk(v).build();
            case MGET:
                Values.Builder values = Values.newBuilder();
                for (ByteString k : q.getMget().getKeysList()) {
                    ByteString value = data.get(k);
                    values.addValues(
                            value == null
                                    ? OptionalValue.getDefaultInstance()
                                    : OptionalValue.newBuilder()
                                            .setPresent(true)
                                            .setValue(value)
                                            .build());
                }
                return KvResult.newBuilder().setArray(values).build();
            case EXISTS:
                long n = 0;
                for (ByteString k : q.getExists().getKeysList()) {
                    if (data.containsKey(k)) {
                        n++;
                    }
                }
                return KvCodec.integer(n);
            case DBSIZE:
                return KvCodec.integer(data.size());
            case DIRECTORY:
                return KvResult.newBuilder()
                        .setNodes(Nodes.newBuilder().addAllNodes(new TreeMap<>(directory).values()))
                        .build();
            default:
                return KvCodec.error("ERR unknown query");
        }
    }

    @Override
    public StateSnapshot snapshot(long index) {
        snapshotIndex = index;
        return new KvSnapshot(new KvSnapshot.Contents(data, new TreeMap<>(directory), new TreeMap<>(memberAddresses)));
    }

    /**
     * Replaces the state with a snapshot's. The member records are replayed to the member listener, so
     * the transport learns the addresses of servers added after the snapshot's origin last restarted.
     *
     * @throws KvSnapshotFormatException if the bytes are not a raft-kv snapshot; the state is then unchanged
     */
    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
        KvSnapshot.Contents c = KvSnapshot.read(in);
        data = c.data();
        directory.clear();
        directory.putAll(c.directory());
        memberAddresses.clear();
        memberAddresses.putAll(c.members());
        appliedIndex = meta.getIndex();
        restoredIndex = meta.getIndex();
        c.members()
                .forEach((id, address) -> onMember.accept(Member.newBuilder()
                        .setNodeId(id)
                        .setRaftAddress(address)
                        .build()));
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

    /** The index of the last applied entry; safe to call from any thread. */
    public long appliedIndex() {
        return appliedIndex;
    }

    /** Number of keys; for tests only (not thread-safe against apply). */
    int size() {
        return data.size();
    }
}
