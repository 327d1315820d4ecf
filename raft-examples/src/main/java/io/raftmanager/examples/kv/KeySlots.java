package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;

/**
 * Which group a key belongs to, the way Redis Cluster places keys: the CRC16 (XMODEM) of the key, or of
 * its hash tag (the bytes between the first '{' and the next '}' when that is not empty), modulo 16384
 * gives the slot; slots are dealt to the groups in contiguous ranges. Keys that share a hash tag always
 * share a group, which is how a client keeps the keys of one multi-key command together.
 */
public final class KeySlots {
    /** Redis Cluster's slot count. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = table();

    private final int groups;

    public KeySlots(int groups) {
        if (groups < 1 || groups > SLOTS) {
            throw new IllegalArgumentException("groups must be in [1, " + SLOTS + "], was " + groups);
        }
        this.groups = groups;
    }

    public int groups() {
        return groups;
    }

    /** The group (0-based) holding {@code key}. */
    public int groupOf(ByteString key) {
        return groups == 1 ? 0 : groupOfSlot(slot(key));
    }

    /** The group owning {@code slot}: slots are split into {@code groups} contiguous ranges. */
    public int groupOfSlot(int slot) {
        return (int) ((long) slot * groups / SLOTS);
    }

    /** Redis Cluster's slot of {@code key} (hash tags honoured). */
    public static int slot(ByteString key) {
        int n = key.size();
        int from = 0;
        int to = n;
        int open = -1;
        for (int i = 0; i < n; i++) {
            if (key.byteAt(i) == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < n; i++) {
                if (key.byteAt(i) == '}') {
                    if (i > open + 1) { // "{}" is no tag: the whole key is hashed
                        from = open + 1;
                        to = i;
                    }
                    break;
                }
            }
        }
        return crc16(key, from, to) & (SLOTS - 1);
    }

    /** CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster uses. */
    static int crc16(ByteString bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes.byteAt(i)) & 0xff]) & 0xffff;
        }
        return crc;
    }

    private static int[] table() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i << 8;
            for (int b = 0; b < 8; b++) {
                c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            }
            t[i] = c & 0xffff;
        }
        return t;
    }
}
