package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftmanager.StateSnapshot;
import io.raftmanager.examples.kv.proto.Announce;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * A point-in-time copy of a {@link KvStateMachine}'s replicated state and its snapshot format.
 *
 * <p>The data map is persistent (structurally shared), so holding it costs nothing and later applies
 * cannot change it; the two directories are a handful of entries, copied when captured.
 *
 * <p>Format, version 1 (all integers big-endian): the magic {@code RKVS}, the version, the number of
 * announcements and each one's length and {@link Announce} bytes, the number of member records and each
 * one's node id and UTF address, then the number of keys and each key's and value's length and bytes,
 * in unsigned byte order of the keys. It is streamed both ways; the node adds its own checksum.
 */
final class KvSnapshot implements StateSnapshot {
    static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();
    static final int MAGIC = 0x524b5653; // "RKVS"
    static final int VERSION = 1;
    /** Larger than any key or value a command can carry; a bigger length means a corrupt stream. */
    static final int MAX_FIELD_BYTES = 64 << 20;

    private static final int BUFFER_BYTES = 64 << 10;

    private final Contents contents;

    KvSnapshot(Contents contents) {
        this.contents = contents;
    }

    /** The replicated state: data, the leaders' announcements and the member records, by node id. */
    record Contents(
            PSortedMap<ByteString, ByteString> data,
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
        d.writeLong(contents.data().size());
        for (Map.Entry<ByteString, ByteString> e : contents.data().entrySet()) {
            writeBytes(d, e.getKey());
            writeBytes(d, e.getValue());
        }
        d.flush();
    }

    private static void writeBytes(DataOutputStream d, ByteString b) throws IOException {
        d.writeInt(b.size());
        b.writeTo(d);
    }

    /**
     * Reads what {@link #writeTo} wrote.
     *
     * @throws KvSnapshotFormatException if the bytes are not a snapshot of this format (wrong magic or
     *     version, impossible lengths, keys out of order, trailing bytes)
     * @throws EOFException if the stream ends early
     */
    static Contents read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        int magic = d.readInt();
        if (magic != MAGIC) {
            throw new KvSnapshotFormatException("not a raft-kv snapshot (magic " + Integer.toHexString(magic) + ")");
        }
        int version = d.readInt();
        if (version != VERSION) {
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
        long keys = d.readLong();
        if (keys < 0) {
            throw new KvSnapshotFormatException("negative key count " + keys);
        }
        SortedMap<ByteString, ByteString> data = new TreeMap<>(KEY_ORDER);
        ByteString previous = null;
        for (long i = 0; i < keys; i++) {
            ByteString key = readBytes(d);
            if (previous != null && KEY_ORDER.compare(previous, key) >= 0) {
                throw new KvSnapshotFormatException("keys out of order at key " + i);
            }
            data.put(key, readBytes(d));
            previous = key;
        }
        if (d.read() != -1) {
            throw new KvSnapshotFormatException("trailing bytes after " + keys + " keys");
        }
        return new Contents(TreePMap.fromSortedMap(data), directory, members);
    }

    private static int count(int n, String what) throws KvSnapshotFormatException {
        if (n < 0 || n > 1 << 20) {
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
