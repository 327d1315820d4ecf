package io.raftmanager.node;

import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/** A snapshot store that checksums and counts what is written, keeping nothing: for benchmarks. */
final class SyntheticSinkStore implements SnapshotStore {
    private volatile SnapshotMeta latest;

    @Override
    public SnapshotMeta latest() {
        return latest;
    }

    @Override
    public SnapshotWriter create(SnapshotMeta meta) {
        return new SnapshotWriter() {
            private final CRC32C crc = new CRC32C();
            private long size;

            @Override
            public long position() {
                return size;
            }

            @Override
            public void write(byte[] data, int offset, int length) {
                crc.update(data, offset, length);
                size += length;
            }

            @Override
            public SnapshotMeta commit() {
                SnapshotMeta full = meta.toBuilder()
                        .setSizeBytes(size)
                        .setChecksum((int) crc.getValue())
                        .build();
                latest = full;
                return full;
            }

            @Override
            public void close() {}

            @Override
            public void abort() {}
        };
    }

    @Override
    public SnapshotWriter receive(SnapshotMeta meta) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InputStream open(SnapshotMeta meta, long offset) {
        throw new StorageException("a sink store cannot be read");
    }

    @Override
    public void close() {}
}
