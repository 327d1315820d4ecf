package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftmanager.StateSnapshot;
import io.raftmanager.examples.kv.proto.Announce;
import io.raftmanager.examples.kv.redis.Entry;
import io.raftmanager.examples.kv.redis.Key;
import io.raftmanager.examples.kv.redis.KeyMap;
import io.raftmanager.examples.kv.redis.ValueCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A point-in-time copy of a {@link KvStateMachine}'s replicated state and its snapshot format.
 *
 * <p>The databases are persistent maps (structurally shared), so holding them costs nothing and later
 * applies cannot change them; the two directories are a handful of entries, copied when captured.
 *
 * <p>Format, version 2 (all integers big-endian): the magic {@code RKVS}, the version, the number of
 * announcements and each one's length and {@link Announce} bytes, the number of member records and each
 * one's node id and UTF address, the store's clock (leader milliseconds), the number of databases, and
 * for each database its number of keys and, in {@link Key#ORDER}, each key's bytes, a type byte (S
 * string, H hash, L list, T set, Z sorted set, X stream), its expiry (0 for none), its version, then the
 * value: a string's bytes, or a count and that many fields and values (hash), items (list), members
 * (set), members and scores as doubles (sorted set), sets, hashes and sorted sets in {@link Key#ORDER};
 * a stream is its entries (id as two longs, a field count, the fields and values) in id order, its
 * last id, and its groups (name, last delivered id, pending ids with their consumers) in {@link
 * Key#ORDER}. Byte strings are a length and the bytes. Version 1 snapshots (one database of
 * strings, in unsigned byte order, no clock) are still read. It is streamed both ways; the node adds
 * its own checksum.
 */
final class KvSnapshot implements StateSnapshot {
    static final int MAGIC = 0x524b5653; // "RKVS"
    static final int VERSION = 2;
    /** Larger than any key or value a command can carry; a bigger length means a corrupt stream. */
    static final int MAX_FIELD_BYTES = 128 << 20;

    private static final int BUFFER_BYTES = 64 << 10;

    private final Contents contents;

    KvSnapshot(Contents contents) {
        this.contents = contents;
    }

    /** The replicated state: the databases, the clock, the leaders' announcements and member records. */
    record Contents(
            List<KeyMap<Entry>> dbs,
            long clock,
            SortedMap<Long, Announce> directory,
            SortedMap<Long, String> members) {}

    Contents contents() {
        return contents;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        // Not closed: the stream belongs to the caller; flushed at the end.
        DataOutputStream d = new DataOutputStream(new BufferedOutputStream(out, BUFFER_BYTES));
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeInt(contents.directory().size());
        for (Announce a : contents.directory().values()) {
            byte[] bytes = a.toByteArray();
            d.writeInt(bytes.length);
            d.write(bytes);
        }
        d.writeInt(contents.members().size());
        for (Map.Entry<Long, String> m : contents.members().entrySet()) {
            d.writeLong(m.getKey());
            d.writeUTF(m.getValue());
        }
        d.writeLong(contents.clock());
        d.writeInt(contents.dbs().size());
        for (KeyMap<Entry> db : contents.dbs()) {
            d.writeLong(db.size());
            for (Map.Entry<Key, Entry> e : db) {
                writeBytes(d, e.getKey().bytes());
                ValueCodec.write(d, e.getValue());
            }
        }
        d.flush();
    }

    private static void writeBytes(DataOutputStream d, ByteString b) throws IOException {
        d.writeInt(b.size());
        b.writeTo(d);
    }

    /**
     * Reads what {@link #writeTo} wrote (or a version 1 snapshot).
     *
     * @param databases the number of databases this node runs with; a snapshot with more is refused
     * @throws KvSnapshotFormatException if the bytes are not a snapshot of this format (wrong magic or
     *     version, impossible lengths, keys out of order, unknown types, trailing bytes)
     * @throws EOFException if the stream ends early
     */
    static Contents read(InputStream in, int databases) throws IOException {
        DataInputStream d = new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        int magic = d.readInt();
        if (magic != MAGIC) {
            throw new KvSnapshotFormatException("not a raft-kv snapshot (magic " + Integer.toHexString(magic) + ")");
        }
        int version = d.readInt();
        if (version != VERSION && version != 1) {
            throw new KvSnapshotFormatException("unsupported raft-kv snapshot version " + version);
        }
        SortedMap<Long, Announce> directory = new TreeMap<>();
        int announcements = count(d.readInt(), "announcements");
        for (int i = 0; i < announcements; i++) {
            Announce a = Announce.parseFrom(readBytes(d));
            directory.put(a.getNodeId(), a);
        }
        SortedMap<Long, String> members = new TreeMap<>();
        int memberCount = count(d.readInt(), "member records");
        for (int i = 0; i < memberCount; i++) {
            members.put(d.readLong(), d.readUTF());
        }
        long clock = version == 1 ? 0 : d.readLong();
        int dbCount = version == 1 ? 1 : count(d.readInt(), "databases");
        if (dbCount > databases) {
            throw new KvSnapshotFormatException(
                    "snapshot has " + dbCount + " databases, this node runs with " + databases + " (--databases)");
        }
        List<KeyMap<Entry>> dbs = new ArrayList<>();
        for (int db = 0; db < dbCount; db++) {
            dbs.add(version == 1 ? readV1Data(d) : readDb(d));
        }
        while (dbs.size() < databases) {
            dbs.add(new KeyMap<>());
        }
        if (d.read() != -1) {
            throw new KvSnapshotFormatException("trailing bytes after the data");
        }
        return new Contents(dbs, clock, directory, members);
    }

    private static KeyMap<Entry> readDb(DataInputStream d) throws IOException {
        long keys = d.readLong();
        if (keys < 0) {
            throw new KvSnapshotFormatException("negative key count " + keys);
        }
        KeyMap<Entry> data = new KeyMap<>();
        Key previous = null;
        for (long i = 0; i < keys; i++) {
            Key key = Key.of(readBytes(d));
            if (previous != null && Key.ORDER.compare(previous, key) >= 0) {
                throw new KvSnapshotFormatException("keys out of order at key " + i);
            }
            data.put(key, ValueCodec.read(d));
            previous = key;
        }
        return data;
    }

    /** Version 1: a key count, then keys and string values in unsigned byte order. */
    private static KeyMap<Entry> readV1Data(DataInputStream d) throws IOException {
        long keys = d.readLong();
        if (keys < 0) {
            throw new KvSnapshotFormatException("negative key count " + keys);
        }
        KeyMap<Entry> data = new KeyMap<>();
        ByteString previous = null;
        for (long i = 0; i < keys; i++) {
            ByteString key = readBytes(d);
            if (previous != null
                    && ByteString.unsignedLexicographicalComparator().compare(previous, key) >= 0) {
                throw new KvSnapshotFormatException("keys out of order at key " + i);
            }
            data.put(Key.of(key), new Entry(readBytes(d), 0, 0));
            previous = key;
        }
        return data;
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
        return UnsafeByteOperations.unsafeWrap(bytes); // the array is never touched again
    }
}
