package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/**
 * A key (or hash field, or set member) with a stable 64-bit hash. Maps are ordered by the hash, then by
 * the bytes, so every replica holds them in the same order and a SCAN cursor (the hash where the next
 * page starts) means the same thing on every node and across leader changes.
 */
public final class Key {
    /** Unsigned hash first, then unsigned bytes (which only matters for colliding hashes). */
    public static final Comparator<Key> ORDER = (a, b) -> {
        int c = Long.compareUnsigned(a.hash, b.hash);
        return c != 0 ? c : ByteString.unsignedLexicographicalComparator().compare(a.bytes, b.bytes);
    };

    final long hash;
    final ByteString bytes;

    private Key(long hash, ByteString bytes) {
        this.hash = hash;
        this.bytes = bytes;
    }

    public static Key of(ByteString bytes) {
        return new Key(hash(bytes), bytes);
    }

    /** A key with a chosen hash: lets tests build colliding and near-colliding keys. */
    static Key withHash(long hash, ByteString bytes) {
        return new Key(hash, bytes);
    }

    /** The smallest key with this hash: where a scan resumes. */
    static Key floor(long hash) {
        return new Key(hash, ByteString.EMPTY);
    }

    public ByteString bytes() {
        return bytes;
    }

    public long hash() {
        return hash;
    }

    /**
     * FNV-1a over the bytes, then a 64-bit finalizer (so short keys spread over the whole range). Part of
     * the snapshot format and of SCAN cursors: it must never change.
     */
    static long hash(ByteString b) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = b.size(); i < n; i++) {
            h ^= b.byteAt(i) & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key && ((Key) o).hash == hash && ((Key) o).bytes.equals(bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hash);
    }

    @Override
    public String toString() {
        return bytes.toStringUtf8();
    }
}
