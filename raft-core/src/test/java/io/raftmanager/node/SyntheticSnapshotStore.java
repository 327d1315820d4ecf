package io.raftmanager.node;

import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * A snapshot store for transfer tests of any size without holding the bytes: the one snapshot it
 * serves is generated from its offset (byte i is a function of i), and what it receives is only counted
 * and checksummed. Its partial snapshot (the count and running CRC) survives a "restart" of the worker
 * that uses it, as a file would.
 */
final class SyntheticSnapshotStore implements SnapshotStore {
    private SnapshotMeta latest;
    private SnapshotMeta partialMeta;
    private long partialSize;
    private CRC32C partialCrc;

    static byte byteAt(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ x >>> 29);
    }

    /** Serves a generated snapshot of {@code size} bytes as the latest. */
    static SyntheticSnapshotStore serving(long index, long term, long size) {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[64 << 10];
        for (long pos = 0; pos < size; ) {
            int n = (int) Math.min(buf.length, size - pos);
            fill(buf, pos, n);
            crc.update(buf, 0, n);
            pos += n;
        }
        SyntheticSnapshotStore s = new SyntheticSnapshotStore();
        s.latest = SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setSizeBytes(size)
                .setChecksum((int) crc.getValue())
                .build();
        return s;
    }

    static void fill(byte[] buf, long pos, int n) {
        for (int i = 0; i < n; i++) {
            buf[i] = byteAt(pos + i);
        }
    }

    @Override
    public synchronized SnapshotMeta latest() {
        return latest;
    }

    synchronized long partialSize() {
        return partialMeta == null ? -1 : partialSize;
    }

    @Override
    public SnapshotWriter create(SnapshotMeta meta) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized SnapshotWriter receive(SnapshotMeta meta) {
        if (partialMeta == null || !SnapshotIds.same(partialMeta, meta)) {
            partialMeta = meta;
            partialSize = 0;
            partialCrc = new CRC32C();
        }
        return new SnapshotWriter() {
            @Override
            public long position() {
                synchronized (SyntheticSnapshotStore.this) {
                    return partialSize;
                }
            }

            @Override
            public void write(byte[] data, int offset, int length) {
                synchronized (SyntheticSnapshotStore.this) {
                    partialCrc.update(data, offset, length);
                    partialSize += length;
                }
            }

            @Override
            public SnapshotMeta commit() {
                synchronized (SyntheticSnapshotStore.this) {
                    int crc = (int) partialCrc.getValue();
                    boolean ok = partialSize == meta.getSizeBytes() && crc == meta.getChecksum();
                    partialMeta = null;
                    if (!ok) {
                        throw new SnapshotChecksumException("synthetic snapshot mismatch");
                    }
                    latest = meta;
                    return meta;
                }
            }

            @Override
            public void close() {}

            @Override
            public void abort() {
                synchronized (SyntheticSnapshotStore.this) {
                    partialMeta = null;
                }
            }
        };
    }

    @Override
    public synchronized InputStream open(SnapshotMeta meta, long offset) {
        if (latest == null || !SnapshotIds.same(latest, meta)) {
            throw new StorageException("not held: " + SnapshotIds.describe(meta));
        }
        long size = meta.getSizeBytes();
        return new InputStream() {
            private long pos = offset;

            @Override
            public int read() {
                return pos < size ? byteAt(pos++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = byteAt(pos + i);
                }
                pos += n;
                return n;
            }
        };
    }

    @Override
    public void close() {}
}
