package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fail-stop on a failed fsync (the lesson of PostgreSQL's "fsyncgate"): once the WAL sync has failed, the
 * kernel may have dropped the dirty pages, so a retry that succeeds proves nothing. The storage refuses
 * every later write, even once the disk works again, so the node stops instead of acknowledging writes
 * that may not be durable. Runs a child JVM with an LD_PRELOAD shim ({@code faultydisk.c}, built with gcc;
 * skipped without it) whose fsync and fdatasync return EIO on demand.
 */
class FsyncFailureTest {
    @TempDir
    Path dir;

    /** Builds the failing-disk shim into {@code dir}; aborts the calling test when gcc is missing. */
    static Path buildShim(Path dir) throws Exception {
        Path source = dir.resolve("faultydisk.c");
        try (InputStream in = FsyncFailureTest.class.getResourceAsStream("/faultydisk.c")) {
            Files.copy(in, source);
        }
        Path lib = dir.resolve("faultydisk.so");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", lib.toString(), source.toString(), "-ldl")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            Assumptions.abort("no gcc to build the failing-disk shim: " + e.getMessage());
            return null;
        }
        gcc.getInputStream().readAllBytes();
        Assumptions.assumeTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc failed");
        return lib;
    }

    /**
     * Runs {@code child}'s main with the data directory {@code dir/db} and the shim's control file
     * {@code dir/control} in a small child JVM under the failing-disk shim; returns what it printed.
     */
    static String runUnderShim(Path dir, Class<?> child, String... childArgs) throws Exception {
        Path lib = buildShim(dir);
        Path control = dir.resolve("control");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx96m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        child.getName(),
                        dir.resolve("db").toString(),
                        control.toString(),
                        String.join(" ", childArgs))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_PRELOAD", lib.toString());
        pb.environment().put("FAULTY_DISK_FILE", control.toString());
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "child finished");
        return out;
    }

    /** Both paths: the blocking write, and the runtime's writeAsync through the committer thread. */
    @ParameterizedTest
    @ValueSource(strings = {"blocking", "async"})
    void aFailedFsyncStopsWritesForGoodEvenOnceTheDiskWorksAgain(String mode) throws Exception {
        String out = runUnderShim(dir, FsyncFailureChild.class, mode);
        List<String> lines = out.lines()
                .filter(l -> l.startsWith("OK") || l.startsWith("FAILED"))
                .toList();
        assertEquals(3, lines.size(), out);
        assertEquals("OK 1", lines.get(0), out);
        assertTrue(lines.get(1).startsWith("FAILED 2") && lines.get(1).contains("sync failed"), out);
        assertTrue(lines.get(2).startsWith("FAILED 3"), "never retried once a sync failed: " + out);
    }
}
