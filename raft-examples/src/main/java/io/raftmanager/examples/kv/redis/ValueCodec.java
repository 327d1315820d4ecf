package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftmanager.examples.kv.KvSnapshotFormatException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePMap;
import org.pcollections.TreePVector;

/**
 * The binary form of one {@link Entry} (type, expiry, version, value), shared by snapshots and
 * DUMP/RESTORE; the layout is documented with the snapshot format ({@code KvSnapshot}).
 */
public final class ValueCodec {
    /** Larger than any key or value a command can carry; a bigger length means corrupt input. */
    static final int MAX_FIELD_BYTES = 128 << 20;

    private ValueCodec() {}

    public static void write(DataOutputStream d, Entry e) throws IOException {
        Object v = e.value();
        d.writeByte(
                v instanceof ByteString
                        ? 'S'
                        : v instanceof Entry.HashValue ? 'H' : v instanceof Entry.ListValue ? 'L' : 'T');
        d.writeLong(e.expireAt());
        d.writeLong(e.version());
        if (v instanceof ByteString) {
            writeBytes(d, (ByteString) v);
        } else if (v instanceof Entry.HashValue) {
            PSortedMap<Key, ByteString> fields = ((Entry.HashValue) v).fields();
            d.writeInt(fields.size());
            for (Map.Entry<Key, ByteString> f : fields.entrySet()) {
                writeBytes(d, f.getKey().bytes());
                writeBytes(d, f.getValue());
            }
        } else if (v instanceof Entry.ListValue) {
            PVector<ByteString> items = ((Entry.ListValue) v).items();
            d.writeInt(items.size());
            for (ByteString b : items) {
                writeBytes(d, b);
            }
        } else if (v instanceof Entry.SetValue) {
            PSortedMap<Key, ByteString> members = ((Entry.SetValue) v).members();
            d.writeInt(members.size());
            for (ByteString b : members.values()) {
                writeBytes(d, b);
            }
        } else if (v instanceof Entry.ZSetValue) {
            PSortedMap<Key, Double> scores = ((Entry.ZSetValue) v).scores();
            d.writeInt(scores.size());
            for (Map.Entry<Key, Double> m : scores.entrySet()) {
                writeBytes(d, m.getKey().bytes());
                d.writeDouble(m.getValue());
            }
        } else {
            Entry.StreamValue st = (Entry.StreamValue) v;
            d.writeInt(st.entries().size());
            for (Map.Entry<Entry.StreamId, PVector<ByteString>> item :
                    st.entries().entrySet()) {
                writeId(d, item.getKey());
                d.writeInt(item.getValue().size());
                for (ByteString b : item.getValue()) {
                    writeBytes(d, b);
                }
            }
            writeId(d, st.lastId());
            d.writeInt(st.groups().size());
            for (Entry.StreamGroup g : st.groups().values()) {
                writeBytes(d, g.name());
                writeId(d, g.lastDelivered());
                d.writeInt(g.pending().size());
                for (Map.Entry<Entry.StreamId, ByteString> p : g.pending().entrySet()) {
                    writeId(d, p.getKey());
                    writeBytes(d, p.getValue());
                }
            }
        }
    }

    private static int typeByte(Object v) {
        if (v instanceof ByteString) {
            return 'S';
        }
        if (v instanceof Entry.HashValue) {
            return 'H';
        }
        if (v instanceof Entry.ListValue) {
            return 'L';
        }
        if (v instanceof Entry.SetValue) {
            return 'T';
        }
        return v instanceof Entry.ZSetValue ? 'Z' : 'X';
    }

    private static void writeId(DataOutputStream d, Entry.StreamId id) throws IOException {
        d.writeLong(id.ms());
        d.writeLong(id.seq());
    }

    private static Entry.StreamId readId(DataInputStream d) throws IOException {
        return new Entry.StreamId(d.readLong(), d.readLong());
    }

    public static Entry read(DataInputStream d) throws IOException {
        int type = d.readByte();
        long expireAt = d.readLong();
        long version = d.readLong();
        switch (type) {
            case 'S':
                return new Entry(readBytes(d), expireAt, version);
            case 'H': {
                int n = count(d.readInt(), "hash fields");
                SortedMap<Key, ByteString> fields = new TreeMap<>(Key.ORDER);
                for (int i = 0; i < n; i++) {
                    fields.put(Key.of(readBytes(d)), readBytes(d));
                }
                return new Entry(new Entry.HashValue(TreePMap.fromSortedMap(fields)), expireAt, version);
            }
            case 'L': {
                int n = count(d.readInt(), "list items");
                List<ByteString> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readBytes(d));
                }
                return new Entry(new Entry.ListValue(TreePVector.from(items)), expireAt, version);
            }
            case 'T': {
                int n = count(d.readInt(), "set members");
                SortedMap<Key, ByteString> members = new TreeMap<>(Key.ORDER);
                for (int i = 0; i < n; i++) {
                    ByteString m = readBytes(d);
                    members.put(Key.of(m), m);
                }
                return new Entry(new Entry.SetValue(TreePMap.fromSortedMap(members)), expireAt, version);
            }
            case 'Z': {
                int n = count(d.readInt(), "sorted set members");
                SortedMap<Key, Double> scores = new TreeMap<>(Key.ORDER);
                for (int i = 0; i < n; i++) {
                    scores.put(Key.of(readBytes(d)), d.readDouble());
                }
                return new Entry(new Entry.ZSetValue(TreePMap.fromSortedMap(scores)), expireAt, version);
            }
            case 'X': {
                int n = count(d.readInt(), "stream entries");
                SortedMap<Entry.StreamId, PVector<ByteString>> entries = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    Entry.StreamId id = readId(d);
                    int f = count(d.readInt(), "stream fields");
                    List<ByteString> fields = new ArrayList<>(f);
                    for (int j = 0; j < f; j++) {
                        fields.add(readBytes(d));
                    }
                    entries.put(id, TreePVector.from(fields));
                }
                Entry.StreamId last = readId(d);
                int g = count(d.readInt(), "stream groups");
                SortedMap<Key, Entry.StreamGroup> groups = new TreeMap<>(Key.ORDER);
                for (int i = 0; i < g; i++) {
                    ByteString name = readBytes(d);
                    Entry.StreamId delivered = readId(d);
                    int p = count(d.readInt(), "pending entries");
                    SortedMap<Entry.StreamId, ByteString> pending = new TreeMap<>();
                    for (int j = 0; j < p; j++) {
                        pending.put(readId(d), readBytes(d));
                    }
                    groups.put(Key.of(name), new Entry.StreamGroup(name, delivered, TreePMap.fromSortedMap(pending)));
                }
                return new Entry(
                        new Entry.StreamValue(TreePMap.fromSortedMap(entries), last, TreePMap.fromSortedMap(groups)),
                        expireAt,
                        version);
            }
            default:
                throw new KvSnapshotFormatException("unknown value type " + type);
        }
    }

    private static void writeBytes(DataOutputStream d, ByteString b) throws IOException {
        d.writeInt(b.size());
        b.writeTo(d);
    }

    private static int count(int n, String what) throws KvSnapshotFormatException {
        if (n < 0 || n > 1 << 24) {
            throw new KvSnapshotFormatException("impossible number of " + what + ": " + n);
        }
        return n;
    }

    private static ByteString readBytes(DataInputStream d) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > MAX_FIELD_BYTES) {
            throw new KvSnapshotFormatException("impossible field length " + n);
        }
        byte[] bytes = new byte[n];
        d.readFully(bytes);
        return UnsafeByteOperations.unsafeWrap(bytes);
    }
}
