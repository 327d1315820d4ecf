package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while a snapshot is written or received is a typed {@link
 * io.raftmanager.spi.StorageFullException} (the runtime keeps running and tries again), never a
 * half-installed snapshot: the previous one stays the latest, and once space returns the received one
 * completes and survives a reopen intact. Runs a child JVM under the failing-disk shim ({@code
 * faultydisk.c}), on the RocksDB engine's own snapshot store.
 */
class SnapshotDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesSnapshotWritesCleanlyAndAReceivedSnapshotCompletesOnceSpaceReturns() throws Exception {
        String out = FsyncFailureTest.runUnderShim(dir, SnapshotDiskFullChild.class);
        List<String> lines = out.lines()
                .filter(l -> l.matches("^(OK|FULL|FAILED|LATEST|REOPENED) .*"))
                .toList();
        assertEquals(List.of("OK 1 10", "FULL 2", "LATEST 10", "FULL 3", "OK 4 30", "REOPENED 30 true"), lines, out);
    }
}
