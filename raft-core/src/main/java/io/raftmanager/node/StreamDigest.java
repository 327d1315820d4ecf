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

    private long crc32c(ByteString bytes) {
        crc.reset();
        crc.update(bytes.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
