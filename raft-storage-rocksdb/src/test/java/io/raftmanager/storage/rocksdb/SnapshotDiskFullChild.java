package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageFullException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The child process of {@link SnapshotDiskFullTest}, run with the failing-disk shim preloaded, on the
 * RocksDB engine's own snapshot store: a snapshot taken, one taken while writes fail with ENOSPC, one
 * received while they fail, the same one received again once space returned, then a reopen. Prints
 * {@code OK 1 <index>}, {@code FULL 2} (or {@code FAILED 2 <error>}), {@code LATEST <index>}, {@code FULL 3}
 * (or {@code FAILED 3 <error>}), {@code OK 4 <index>} (or {@code FAILED 4 <error>}), {@code REOPENED <index>
 * <payload checksum matches>}.
 *
 * <p>Usage: {@code SnapshotDiskFullChild <directory> <control file>}.
 */
final class SnapshotDiskFullChild {
    private SnapshotDiskFullChild() {}

    private static final int SIZE = 256 << 10;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path control = Path.of(args[1]);
        Files.writeString(control, "ok");
        byte[] taken = payload(10);
        byte[] received = payload(30);
        SnapshotMeta incoming = SnapshotMeta.newBuilder()
                .setIndex(30)
                .setTerm(2)
                .setSizeBytes(received.length)
                .setChecksum(crc(received))
                .build();
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            engine.group(1, RocksTestSupport.VOTERS);
            SnapshotStore store = engine.snapshotStore(1);
            SnapshotWriter first = store.create(
                    SnapshotMeta.newBuilder().setIndex(10).setTerm(1).build());
            writeAll(first, taken, 0);
            System.out.println("OK 1 " + first.commit().getIndex());

            Files.writeString(control, "enospc");
            SnapshotWriter second = store.create(
                    SnapshotMeta.newBuilder().setIndex(20).setTerm(1).build());
            System.out.println(step(2, () -> {
                writeAll(second, payload(20), 0);
                second.commit();
            }));
            second.abort();
            System.out.println("LATEST " + store.latest().getIndex());

            SnapshotWriter partial = store.receive(incoming);
            System.out.println(step(3, () -> writeAll(partial, received, (int) partial.position())));
            partial.close();

            Files.writeString(control, "ok");
            SnapshotWriter resumed = store.receive(incoming);
            writeAll(resumed, received, (int) resumed.position());
            System.out.println("OK 4 " + resumed.commit().getIndex());
        }
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            engine.group(1, RocksTestSupport.VOTERS);
            SnapshotStore store = engine.snapshotStore(1);
            SnapshotMeta latest = store.latest();
            byte[] back;
            try (InputStream in = store.open(latest, 0)) {
                back = in.readAllBytes();
            }
            System.out.println("REOPENED " + latest.getIndex() + " " + (crc(back) == crc(received)));
        }
        System.out.flush();
    }

    private static String step(int n, Runnable r) {
        try {
            r.run();
            return "OK " + n + " (the disk was not full)";
        } catch (StorageFullException e) {
            return "FULL " + n;
        } catch (RuntimeException e) {
            return "FAILED " + n + " " + e;
        }
    }

    private static void writeAll(SnapshotWriter w, byte[] data, int from) {
        for (int off = from; off < data.length; off += 8192) {
            w.write(data, off, Math.min(8192, data.length - off));
        }
    }

    private static byte[] payload(long seed) {
        byte[] b = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }
}
