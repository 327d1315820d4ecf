package io.raftmanager.storage.rocksdb;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.raftmanager.proto.Entry;
import io.raftmanager.spi.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.CRC32C;

/**
 * The record format: every stored value is {@code version(1) | crc32c(4, big-endian) | payload}. The
 * CRC32C covers the key, the version byte and the payload, so a value that is damaged, truncated, or
 * written under the wrong key (a misdirected write) fails the check. Reads always verify: a mismatch is a
 * {@link StorageException} naming the group and the index, never a silently returned record.
 */
final class RecordCodec {
    /** The format version this build writes and the newest it reads. */
    static final byte FORMAT_VERSION = 1;

    static final int HEADER = 5;

    private RecordCodec() {}

    /** Encodes {@code message} as the record stored under {@code key}. */
    static byte[] encode(byte[] key, MessageLite message) {
        int size = message.getSerializedSize();
        byte[] value = new byte[HEADER + size];
        CodedOutputStream out = CodedOutputStream.newInstance(value, HEADER, size);
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to an exactly sized array cannot fail
        }
        return seal(key, value);
    }

    /** Encodes raw {@code payload} as the record stored under {@code key}. */
    static byte[] encode(byte[] key, byte[] payload) {
        byte[] value = new byte[HEADER + payload.length];
        System.arraycopy(payload, 0, value, HEADER, payload.length);
        return seal(key, value);
    }

    private static byte[] seal(byte[] key, byte[] value) {
        value[0] = FORMAT_VERSION;
        int crc = crc(key, value);
        value[1] = (byte) (crc >>> 24);
        value[2] = (byte) (crc >>> 16);
        value[3] = (byte) (crc >>> 8);
        value[4] = (byte) crc;
        return value;
    }

    private static int crc(byte[] key, byte[] value) {
        CRC32C c = new CRC32C();
        c.update(key, 0, key.length);
        c.update(value, 0, 1);
        c.update(value, HEADER, value.length - HEADER);
        return (int) c.getValue();
    }

    /**
     * Verifies the record {@code value} stored under {@code key}.
     *
     * @param what names the record in an error, e.g. "group 7 entry 42"
     * @throws StorageException if the record is missing, truncated, of a newer format, or fails its CRC
     */
    static void verify(byte[] key, byte[] value, String what) {
        if (value == null) {
            throw new StorageException(what + ": record is missing");
        }
        if (value.length < HEADER) {
            throw new StorageException(
                    what + ": record is corrupted (" + value.length + " bytes, shorter than its header)");
        }
        int version = value[0] & 0xFF;
        if (version > FORMAT_VERSION) {
            throw new StorageException(what + ": record has format version " + version
                    + ", newer than the newest this build reads (" + FORMAT_VERSION + ")");
        }
        if (version == 0) {
            throw new StorageException(what + ": record is corrupted (format version 0)");
        }
        int stored =
                ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
        int computed = crc(key, value);
        if (stored != computed) {
            throw new StorageException(what + ": record is corrupted (CRC32C stored " + Integer.toHexString(stored)
                    + ", computed " + Integer.toHexString(computed) + ")");
        }
    }

    /** Verifies and decodes the entry {@code index} of {@code group} stored under {@code key}. */
    static Entry entry(byte[] key, byte[] value, long group, long index) {
        if (value == null || value.length < HEADER || (value[0] & 0xFF) > FORMAT_VERSION || !crcMatches(key, value)) {
            verify(key, value, "group " + group + " entry " + index); // throws with the precise reason
        }
        Entry e;
        try {
            e = Entry.parser().parseFrom(value, HEADER, value.length - HEADER);
        } catch (InvalidProtocolBufferException ex) {
            throw new StorageException("group " + group + " entry " + index + ": record does not decode", ex);
        }
        if (e.getIndex() != index) {
            throw new StorageException("group " + group + " entry " + index + ": record holds index " + e.getIndex());
        }
        return e;
    }

    private static boolean crcMatches(byte[] key, byte[] value) {
        if (value[0] == 0) {
            return false;
        }
        int stored =
                ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
        return stored == crc(key, value);
    }

    /** Verifies the record and returns its payload. */
    static byte[] payload(byte[] key, byte[] value, String what) {
        verify(key, value, what);
        byte[] p = new byte[value.length - HEADER];
        System.arraycopy(value, HEADER, p, 0, p.length);
        return p;
    }
}
