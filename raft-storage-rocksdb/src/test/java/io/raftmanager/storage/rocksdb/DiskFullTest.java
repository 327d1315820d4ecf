package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is not fatal: a write RocksDB refuses for lack of space is a {@link
 * io.raftmanager.spi.StorageFullException} that changed nothing, and the same write succeeds once space
 * returns, with every acknowledged entry intact after a reopen. Runs a child JVM with the failing-disk
 * shim ({@code faultydisk.c}) making writes to regular files fail with ENOSPC on demand.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesTheWriteAndTheSameWriteSucceedsOnceSpaceReturns() throws Exception {
        Path lib = FsyncFailureTest.buildShim(dir);
        Path control = dir.resolve("control");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx96m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DiskFullChild.class.getName(),
                        dir.resolve("db").toString(),
                        control.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_PRELOAD", lib.toString());
        pb.environment().put("FAULTY_DISK_FILE", control.toString());
        Process child = pb.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child finished");
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
