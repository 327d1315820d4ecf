package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A full disk is not fatal: a write RocksDB refuses for lack of space is a {@link
 * io.raftmanager.spi.StorageFullException} that changed nothing, and the same write succeeds once space
 * returns, with every acknowledged entry intact after a reopen. Runs a child JVM with the failing-disk
 * shim ({@code faultydisk.c}) making writes to regular files fail with ENOSPC on demand.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    /** Both paths: the blocking write, and the runtime's writeAsync through the committer thread. */
    @ParameterizedTest
    @ValueSource(strings = {"blocking", "async"})
    void aFullDiskRefusesTheWriteAndTheSameWriteSucceedsOnceSpaceReturns(String mode) throws Exception {
        String out = FsyncFailureTest.runUnderShim(dir, DiskFullChild.class, mode);
        List<String> lines = out.lines()
                .filter(l -> l.matches("^(OK|FULL|FAILED|REOPENED) .*"))
                .toList();
        assertEquals(4, lines.size(), out);
        assertEquals("OK 1", lines.get(0), out);
        assertTrue(lines.get(1).startsWith("FULL 2"), "a typed disk-full refusal: " + out);
        assertTrue(lines.get(2).startsWith("OK 3"), "the write succeeds once space returns: " + out);
        assertEquals("REOPENED 20 20", lines.get(3), "both acknowledged writes, nothing of the refused one: " + out);
    }
}
