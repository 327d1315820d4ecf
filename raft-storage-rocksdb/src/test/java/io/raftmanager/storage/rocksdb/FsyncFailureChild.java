package io.raftmanager.storage.rocksdb;

import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link FsyncFailureTest}, run with the failing-disk shim preloaded: a synced write,
 * then one while fsync fails with EIO, then one after the disk "recovered". Prints one line per write:
 * {@code OK <n>} or {@code FAILED <n> <message>}.
 *
 * <p>Usage: {@code FsyncFailureChild <directory> <control file> [async]}.
 */
final class FsyncFailureChild {
    private FsyncFailureChild() {}

    /** Whether writes go through {@code writeAsync} (the runtime's path) rather than {@code write}. */
    private static boolean async;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path control = Path.of(args[1]);
        async = args.length > 2 && args[2].equals("async");
        Files.writeString(control, "ok");
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RocksLogStorage s = engine.group(1, RocksTestSupport.VOTERS);
            write(s, 1);
            Files.writeString(control, "eio");
            write(s, 2);
            Files.writeString(control, "ok");
            write(s, 3);
        } catch (StorageException e) {
            System.out.println("CLOSE " + e.getMessage());
        }
        System.out.flush();
    }

    private static void write(RocksLogStorage s, int n) {
        long from = s.lastIndex() + 1;
        try {
            RocksTestSupport.write(
                    s,
                    new LogBatch(
                            RocksTestSupport.hardState(1, 1, 0),
                            RocksTestSupport.entries(1, 1, from, from + 9, 100),
                            true),
                    async);
            System.out.println("OK " + n);
        } catch (StorageException e) {
            System.out.println("FAILED " + n + " " + e.getMessage().replace('\n', ' '));
        }
    }
}
