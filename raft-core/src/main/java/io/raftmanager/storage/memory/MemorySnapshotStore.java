package io.raftmanager.storage.memory;

import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} held in memory, for tests and examples. Bytes are kept in blocks of {@value
 * #BLOCK} bytes, so a large snapshot needs no single large array; a stream opened on a snapshot keeps
 * it alive even after a newer one replaces it. Thread-safe.
 */
public final class MemorySnapshotStore implements SnapshotStore {
    static final int BLOCK = 64 * 1024;

    /** The bytes of one snapshot: full blocks and a partly filled last one. */
    private static final class Data {
        final List<byte[]> blocks = new ArrayList<>();
        long size;
        final CRC32C crc = new CRC32C();

        void append(byte[] b, int off, int len) {
            crc.update(b, off, len);
            while (len > 0) {
                int inBlock = (int) (size % BLOCK);
                if (inBlock == 0) {
                    blocks.add(new byte[BLOCK]);
                }
                int n = Math.min(len, BLOCK - inBlock);
                System.arraycopy(b, off, blocks.get(blocks.size() - 1), inBlock, n);
                off += n;
                len -= n;
                size += n;
            }
        }
    }

    private SnapshotMeta latest;
    private Data latestData;
    private SnapshotMeta partialMeta;
    private Data partial;

    /** An empty store. */
    public MemorySnapshotStore() {}

    @Override
    public synchronized SnapshotMeta latest() {
        return latest;
    }

    @Override
    public SnapshotWriter create(SnapshotMeta meta) {
        return new Writer(meta, new Data(), false);
    }

    @Override
    public synchronized SnapshotWriter receive(SnapshotMeta meta) {
        if (partial == null || !SnapshotIds.same(partialMeta, meta)) {
            partialMeta = meta;
            partial = new Data();
        }
        return new Writer(meta, partial, true);
    }

    @Override
    public synchronized InputStream open(SnapshotMeta meta, long offset) {
        if (latest == null || !SnapshotIds.same(latest, meta)) {
            throw new StorageException("snapshot " + SnapshotIds.describe(meta) + " is not held");
        }
        if (offset < 0 || offset > latestData.size) {
            throw new StorageException("offset " + offset + " outside snapshot of " + latestData.size + " bytes");
        }
        return new Reader(latestData, offset);
    }

    private synchronized void install(SnapshotMeta meta, Data data, boolean received) {
        if (latest == null || meta.getIndex() >= latest.getIndex()) {
            latest = meta;
            latestData = data;
        }
        if (received && partial == data) {
            partial = null;
            partialMeta = null;
        }
    }

    private synchronized void discardPartial(Data data) {
        if (partial == data) {
            partial = null;
            partialMeta = null;
        }
    }

    @Override
    public void close() {}

    private final class Writer implements SnapshotWriter {
        private final SnapshotMeta meta;
        private final Data data;
        private final boolean received;
        private boolean done;

        Writer(SnapshotMeta meta, Data data, boolean received) {
            this.meta = meta;
            this.data = data;
            this.received = received;
        }

        @Override
        public long position() {
            synchronized (MemorySnapshotStore.this) {
                return data.size;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (done) {
                throw new StorageException("snapshot writer is closed");
            }
            synchronized (MemorySnapshotStore.this) {
                data.append(b, off, len);
            }
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new StorageException("snapshot writer is closed");
            }
            done = true;
            SnapshotMeta full;
            synchronized (MemorySnapshotStore.this) {
                int crc = (int) data.crc.getValue();
                if (received && (data.size != meta.getSizeBytes() || crc != meta.getChecksum())) {
                    discardPartial(data);
                    throw new SnapshotChecksumException("snapshot " + SnapshotIds.describe(meta) + ": got " + data.size
                            + " bytes with CRC32C " + Integer.toHexString(crc));
                }
                full = meta.toBuilder().setSizeBytes(data.size).setChecksum(crc).build();
                install(full, data, received);
            }
            return full;
        }

        @Override
        public void close() {
            done = true;
        }

        @Override
        public void abort() {
            done = true;
            if (received) {
                discardPartial(data);
            }
        }
    }

    /** Streams a snapshot's blocks from an offset; it holds the blocks, so a replaced snapshot stays readable. */
    private static final class Reader extends InputStream {
        private final List<byte[]> blocks;
        private final long size;
        private long pos;

        Reader(Data data, long offset) {
            this.blocks = List.copyOf(data.blocks);
            this.size = data.size;
            this.pos = offset;
        }

        @Override
        public int read() {
            if (pos >= size) {
                return -1;
            }
            int b = blocks.get((int) (pos / BLOCK))[(int) (pos % BLOCK)] & 0xff;
            pos++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, Math.min(size - pos, BLOCK - pos % BLOCK));
            System.arraycopy(blocks.get((int) (pos / BLOCK)), (int) (pos % BLOCK), b, off, n);
            pos += n;
            return n;
        }
    }
}
