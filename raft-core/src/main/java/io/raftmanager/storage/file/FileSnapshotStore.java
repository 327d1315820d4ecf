package io.raftmanager.storage.file;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} in a directory, one file per snapshot. Crash-safe: a snapshot is written to a
 * temporary file, synced, and made complete by an atomic rename (then the directory is synced), so after a
 * crash the directory holds the old latest snapshot or the new one, never a mix; older snapshots are
 * deleted only after that.
 *
 * <p>Files: {@code snapshot-<index>-<term>.snap} holds the payload followed by a trailer (the metadata,
 * its length, its CRC32C and a magic number), so a complete snapshot describes itself; {@code
 * receive-<index>-<term>-<crc>.part} is the payload of a snapshot being received, kept across restarts so
 * a transfer resumes after it; {@code *.tmp} are local snapshots being written, deleted on open. A
 * complete snapshot whose trailer does not verify is a {@link StorageException}, never silently skipped.
 *
 * <p>Thread-safe. A stream opened on a snapshot stays readable after a newer one deletes its file.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final long MAGIC = 0x524d534e41505631L; // "RMSNAPV1"
    private static final int TRAILER_FIXED = 4 + 4 + 8;

    private final Path dir;
    private SnapshotMeta latest;
    private Path latestFile;

    /** Opens (creating if needed) the store in {@code dir}, discarding unfinished local snapshots. */
    public FileSnapshotStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        Files.delete(f);
                    } else if (name.endsWith(".snap")) {
                        SnapshotMeta meta = readTrailer(f);
                        if (latest == null || meta.getIndex() > latest.getIndex()) {
                            latest = meta;
                            latestFile = f;
                        }
                    }
                }
            }
            deleteOlderThan(latestFile);
        } catch (IOException e) {
            throw new StorageException("cannot open snapshot directory " + dir, e);
        }
    }

    @Override
    public synchronized SnapshotMeta latest() {
        return latest;
    }

    @Override
    public SnapshotWriter create(SnapshotMeta meta) {
        Path tmp = dir.resolve("create-" + meta.getIndex() + "-" + meta.getTerm() + "-" + System.nanoTime() + ".tmp");
        return new Writer(meta, tmp, false);
    }

    @Override
    public synchronized SnapshotWriter receive(SnapshotMeta meta) {
        Path part = partPath(meta);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "receive-*.part")) {
            for (Path f : files) {
                if (!f.equals(part)) {
                    Files.delete(f); // one partial snapshot at a time: a newer one replaces it
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + dir, e);
        }
        return new Writer(meta, part, true);
    }

    @Override
    public synchronized InputStream open(SnapshotMeta meta, long offset) {
        if (latest == null || !SnapshotIds.same(latest, meta)) {
            throw new StorageException("snapshot " + SnapshotIds.describe(meta) + " is not held in " + dir);
        }
        if (offset < 0 || offset > meta.getSizeBytes()) {
            throw new StorageException("offset " + offset + " outside snapshot of " + meta.getSizeBytes() + " bytes");
        }
        try {
            FileChannel ch = FileChannel.open(latestFile, StandardOpenOption.READ);
            ch.position(offset);
            long limit = meta.getSizeBytes() - offset;
            return new BoundedStream(Channels.newInputStream(ch), limit);
        } catch (IOException e) {
            throw new StorageException("cannot read snapshot " + latestFile, e);
        }
    }

    @Override
    public void close() {}

    private Path partPath(SnapshotMeta meta) {
        return dir.resolve("receive-" + meta.getIndex() + "-" + meta.getTerm() + "-"
                + Integer.toHexString(meta.getChecksum()) + ".part");
    }

    private synchronized void installed(SnapshotMeta meta, Path file) throws IOException {
        if (latest == null || meta.getIndex() >= latest.getIndex()) {
            latest = meta;
            latestFile = file;
        }
        deleteOlderThan(latestFile);
    }

    private void deleteOlderThan(Path keep) throws IOException {
        if (keep == null) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.snap")) {
            for (Path f : files) {
                if (!f.equals(keep)) {
                    Files.delete(f);
                }
            }
        }
    }

    private static SnapshotMeta readTrailer(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < TRAILER_FIXED) {
                throw new StorageException("snapshot file " + f + " is truncated");
            }
            ByteBuffer fixed = ByteBuffer.allocate(TRAILER_FIXED);
            ch.read(fixed, size - TRAILER_FIXED);
            fixed.flip();
            int metaLen = fixed.getInt();
            int metaCrc = fixed.getInt();
            long magic = fixed.getLong();
            if (magic != MAGIC || metaLen < 0 || metaLen > size - TRAILER_FIXED) {
                throw new StorageException("snapshot file " + f + " has no valid trailer");
            }
            ByteBuffer metaBytes = ByteBuffer.allocate(metaLen);
            ch.read(metaBytes, size - TRAILER_FIXED - metaLen);
            CRC32C crc = new CRC32C();
            crc.update(metaBytes.array());
            if ((int) crc.getValue() != metaCrc) {
                throw new StorageException("snapshot file " + f + ": metadata checksum mismatch");
            }
            SnapshotMeta meta = SnapshotMeta.parseFrom(metaBytes.array());
            if (meta.getSizeBytes() != size - TRAILER_FIXED - metaLen) {
                throw new StorageException("snapshot file " + f + ": payload is not " + meta.getSizeBytes() + " bytes");
            }
            return meta;
        } catch (InvalidProtocolBufferException e) {
            throw new StorageException("snapshot file " + f + ": corrupted metadata", e);
        }
    }

    /**
     * A full disk is a {@link StorageFullException} (the snapshot is retried once space returns, and the
     * node keeps running); any other I/O error is a {@link StorageException}.
     */
    private static RuntimeException failure(String what, IOException e) {
        String m = e.getMessage();
        if (m != null && m.contains("No space left on device")) {
            return new StorageFullException("disk full " + what + ": " + m, e);
        }
        return new StorageException(what + " failed", e);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is still atomic there.
        }
    }

    private final class Writer implements SnapshotWriter {
        private final SnapshotMeta meta;
        private final Path file;
        private final boolean received;
        private final FileChannel ch;
        private final CRC32C crc = new CRC32C();
        private long position;
        private boolean done;

        Writer(SnapshotMeta meta, Path file, boolean received) {
            this.meta = meta;
            this.file = file;
            this.received = received;
            try {
                this.ch = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                if (received) {
                    resume();
                } else {
                    ch.truncate(0);
                }
            } catch (IOException e) {
                throw new StorageException("cannot open " + file, e);
            }
        }

        /** Continues after the bytes already received: re-reads them for the running checksum. */
        private void resume() throws IOException {
            long size = Math.min(ch.size(), meta.getSizeBytes());
            ch.truncate(size);
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                crc.update(buf.array(), 0, n);
                pos += n;
            }
            position = pos;
            ch.position(pos);
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            if (done) {
                throw new StorageException("snapshot writer for " + file + " is closed");
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(data, offset, length);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                throw failure("writing " + file, e);
            }
            crc.update(data, offset, length);
            position += length;
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new StorageException("snapshot writer for " + file + " is closed");
            }
            done = true;
            int sum = (int) crc.getValue();
            try {
                if (received && (position != meta.getSizeBytes() || sum != meta.getChecksum())) {
                    ch.close();
                    Files.deleteIfExists(file);
                    throw new SnapshotChecksumException("snapshot " + SnapshotIds.describe(meta) + ": got " + position
                            + " bytes with CRC32C " + Integer.toHexString(sum));
                }
                SnapshotMeta full =
                        meta.toBuilder().setSizeBytes(position).setChecksum(sum).build();
                byte[] metaBytes = full.toByteArray();
                CRC32C metaCrc = new CRC32C();
                metaCrc.update(metaBytes);
                ByteBuffer trailer = ByteBuffer.allocate(metaBytes.length + TRAILER_FIXED);
                trailer.put(metaBytes)
                        .putInt(metaBytes.length)
                        .putInt((int) metaCrc.getValue())
                        .putLong(MAGIC)
                        .flip();
                while (trailer.hasRemaining()) {
                    ch.write(trailer);
                }
                ch.force(true);
                ch.close();
                Path target = dir.resolve("snapshot-" + full.getIndex() + "-" + full.getTerm() + ".snap");
                try {
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new StorageException("the file system of " + dir + " cannot rename atomically", e);
                }
                syncDirectory(dir);
                installed(full, target);
                return full;
            } catch (IOException e) {
                try {
                    ch.close(); // a later transfer resumes from the payload (the trailer is cut off)
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw failure("completing snapshot " + file, e);
            }
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                if (received) {
                    ch.force(false); // keep the partial bytes for a resumed transfer
                    ch.close();
                } else {
                    ch.close();
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new StorageException("closing " + file + " failed", e);
            }
        }

        @Override
        public void abort() {
            done = true;
            try {
                ch.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new StorageException("discarding " + file + " failed", e);
            }
        }
    }

    /** Reads at most {@code limit} bytes: the payload, not the trailer. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
