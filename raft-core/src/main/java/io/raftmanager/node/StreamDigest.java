package io.raftmanager.node;

import com.google.protobuf.ByteString;
import java.util.zip.CRC32C;

/**
 * The default state-machine digest: a running 64-bit hash of the applied stream. For each applied entry,
 * {@code state = mix(state ^ mix(index) ^ (crc32c(data) << 32 | crc32c(result)))}, where {@code mix} is
 * the SplitMix64 finaliser and {@code data} is the entry's payload. Servers that applied the same
 * entries with the same results have the same digest; a nondeterministic result shows up at once.
 */
final class StreamDigest {
    private final CRC32C crc = new CRC32C();
    private long state;

    void add(long index, ByteString data, ByteString result) {
        long high = crc32c(data);
        long low = result == null ? 0 : crc32c(result);
        state = mix(state ^ mix(index) ^ (high << 32 | low));
    }

    long value() {
        return state;
    }

    void reset(long value) {
        state = value;
    }

    /** Payloads up to this size are copied into {@link #scratch}: CRC32C copies a read-only buffer anew. */
    private static final int SCRATCH_LIMIT = 64 << 10;

    private byte[] scratch = new byte[256];

    private long crc32c(ByteString bytes) {
        int n = bytes.size();
        crc.reset();
        if (n > SCRATCH_LIMIT) {
            crc.update(bytes.asReadOnlyByteBuffer());
        } else {
            if (n > scratch.length) {
                scratch = new byte[Math.min(SCRATCH_LIMIT, Math.max(n, 2 * scratch.length))];
            }
            bytes.copyTo(scratch, 0);
            crc.update(scratch, 0, n);
        }
        return crc.getValue();
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
