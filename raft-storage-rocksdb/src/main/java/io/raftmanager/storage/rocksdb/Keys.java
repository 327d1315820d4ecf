package io.raftmanager.storage.rocksdb;

/**
 * The key layout. Every key starts with the 8-byte big-endian group id, so one group's keys are one
 * contiguous range and {@code DeleteRange} over a group's index range touches no other group.
 *
 * <ul>
 *   <li>log column family: {@code group(8) | index(8)}, big-endian, so keys sort by index;
 *   <li>state column family: {@code group(8) | kind(1)} with {@link #HARD_STATE} or {@link #SNAPSHOT};
 *   <li>default column family: {@link #IDENTITY}, the engine's identity record.
 * </ul>
 */
final class Keys {
    /** The length of the group id every key starts with. */
    static final int GROUP_BYTES = 8;

    static final byte HARD_STATE = 1;
    static final byte SNAPSHOT = 2;
    static final byte[] IDENTITY = {'i', 'd', 'e', 'n', 't', 'i', 't', 'y'};

    private Keys() {}

    /** The log key of {@code index} in {@code group}. */
    static byte[] entry(long group, long index) {
        byte[] k = new byte[GROUP_BYTES + 8];
        putLong(k, 0, group);
        putLong(k, GROUP_BYTES, index);
        return k;
    }

    /**
     * The exclusive end key of every entry of {@code group}: index {@code 0xFFFF_FFFF_FFFF_FFFF} is never
     * written (indexes are positive signed longs).
     */
    static byte[] groupEnd(long group) {
        return entry(group, -1L);
    }

    /** The state key of {@code kind} in {@code group}. */
    static byte[] state(long group, byte kind) {
        byte[] k = new byte[GROUP_BYTES + 1];
        putLong(k, 0, group);
        k[GROUP_BYTES] = kind;
        return k;
    }

    /** The index part of a log key. */
    static long index(byte[] entryKey) {
        return getLong(entryKey, GROUP_BYTES);
    }

    /** The group part of any key. */
    static long group(byte[] key) {
        return getLong(key, 0);
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
