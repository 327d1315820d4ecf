package io.raftmanager.sim;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.KvModel.Input;
import io.raftmanager.testkit.linearizability.KvModel.Output;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The replicated key-value state machine of the simulated clients, kept once for the whole cluster
 * with every version: State Machine Safety (checked by {@link Invariants}) makes every server's state
 * at applied index i the state after the committed entries 1..i, so a server's read at i is answered
 * from the version at i. That also holds for a server that installed a snapshot, whose applied index
 * jumps.
 *
 * <p>Commands are entries whose data is {@code kv <KIND> <key> <value|~> <expected|~>}; any other
 * entry leaves the map unchanged.
 */
final class SimKvStore {
    private static final String PREFIX = "kv ";
    private static final String NULL = "~";
    private static final KvModel MODEL = new KvModel();

    private final Map<String, TreeMap<Long, String>> versions = new HashMap<>();
    private final Map<Long, Output> results = new HashMap<>();
    private long applied;

    static ByteString encode(Input in) {
        return ByteString.copyFromUtf8(
                PREFIX + in.kind() + " " + in.key() + " " + orNull(in.value()) + " " + orNull(in.expected()));
    }

    private static String orNull(String s) {
        return s == null ? NULL : s;
    }

    private static Input decode(ByteString data) {
        String s = data.toStringUtf8();
        if (!s.startsWith(PREFIX)) {
            return null;
        }
        String[] f = s.substring(PREFIX.length()).split(" ");
        return new Input(
                KvModel.Kind.valueOf(f[0]), f[1], f[2].equals(NULL) ? null : f[2], f[3].equals(NULL) ? null : f[3]);
    }

    /** An entry some server applies; the first server to apply an index applies it here. */
    void onApply(Entry e) {
        if (e.getIndex() <= applied) {
            return; // the same entry again, on another server or after a restart (Invariants checks it)
        }
        if (e.getIndex() != applied + 1) {
            throw new AssertionError("entry " + e.getIndex() + " applied before " + (applied + 1));
        }
        applied = e.getIndex();
        Input in = e.getType() == EntryType.ENTRY_TYPE_NORMAL ? decode(e.getData()) : null;
        if (in == null) {
            return;
        }
        String before = get(in.key(), applied - 1);
        Optional<Optional<String>> after = MODEL.step(Optional.ofNullable(before), in, null);
        // An INCR of a non-number fails without effect, as a real state machine would refuse it.
        String next = after.isPresent() ? after.get().orElse(null) : before;
        versions.computeIfAbsent(in.key(), k -> new TreeMap<>()).put(applied, next);
        results.put(
                applied,
                switch (in.kind()) {
                    case GET, INCR -> Output.value(next);
                    case CAS -> Output.cas(java.util.Objects.equals(before, in.expected()));
                    default -> Output.done();
                });
    }

    /** The output of the command at {@code index}, which must be applied. */
    Output result(long index) {
        return results.get(index);
    }

    /** The value of {@code key} once the entries up to {@code index} are applied ({@code null}: absent). */
    String get(String key, long index) {
        if (index > applied) {
            throw new AssertionError("read at " + index + " beyond the applied " + applied);
        }
        TreeMap<Long, String> v = versions.get(key);
        if (v == null) {
            return null;
        }
        Map.Entry<Long, String> e = v.floorEntry(index);
        return e == null ? null : e.getValue();
    }
}
