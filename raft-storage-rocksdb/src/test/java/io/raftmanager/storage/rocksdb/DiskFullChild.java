package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.Entry;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.StorageFullException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link DiskFullTest}, run with the failing-disk shim preloaded: a synced write, one
 * while writes fail with ENOSPC, then the same write retried once space "returned" until the storage takes
 * it, then a reopen that checks every acknowledged entry. Prints one line per step: {@code OK 1}, {@code
 * FULL 2 <message>} (or {@code FAILED 2 <message>}), {@code OK 3 <tries>} (or {@code FAILED 3}), {@code
 * REOPENED <last index> <entries read>}.
 *
 * <p>Usage: {@code DiskFullChild <directory> <control file> [async]}.
 */
final class DiskFullChild {
    private DiskFullChild() {}

    /** Whether writes go through {@code writeAsync} (the runtime's path) rather than {@code write}. */
    private static boolean async;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path control = Path.of(args[1]);
        async = args.length > 2 && args[2].equals("async");
        Files.writeString(control, "ok");
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RocksLogStorage s = engine.group(1, RocksTestSupport.VOTERS);
            write(s);
            System.out.println("OK 1");
            Files.writeString(control, "enospc");
            try {
                write(s);
                System.out.println("OK 2 (the disk was not full)");
            } catch (StorageFullException e) {
                System.out.println("FULL 2 " + e.getMessage().replace('\n', ' '));
            } catch (StorageException e) {
                System.out.println("FAILED 2 " + e.getMessage().replace('\n', ' '));
            }
            Files.writeString(control, "ok");
            String third = "FAILED 3";
            for (int tries = 1; tries <= 300; tries++) {
                try {
                    write(s);
                    third = "OK 3 " + tries;
                    break;
                } catch (StorageFullException e) {
                    Thread.sleep(100); // RocksDB recovers in the background once space returns
                } catch (StorageException e) {
                    third = "FAILED 3 " + e.getMessage().replace('\n', ' ');
                    break;
                }
            }
            System.out.println(third);
        }
        try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
            RocksLogStorage s = engine.group(1, RocksTestSupport.VOTERS);
            List<Entry> read = s.entries(1, s.lastIndex() + 1, Long.MAX_VALUE);
            System.out.println("REOPENED " + s.lastIndex() + " " + read.size());
        }
        System.out.flush();
    }

    private static void write(RocksLogStorage s) {
        long from = s.lastIndex() + 1;
        RocksTestSupport.write(
                s,
                new LogBatch(
                        RocksTestSupport.hardState(1, 1, 0), RocksTestSupport.entries(1, 1, from, from + 9, 100), true),
                async);
    }
}
