package io.raftmanager.storage.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.proto.SnapshotMeta;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of {@link FileSnapshotStore} with a real process: a child JVM commits snapshot after
 * snapshot and is killed (SIGKILL) at random moments, mid-write or mid-commit; after each kill the store
 * reopens with a complete snapshot at least as new as the last one the child reported committed, whose
 * bytes are exactly what was written. {@code -Draft.snapshot.crashes=N} for more kills than CI's 5.
 */
@Tag("integration")
class FileSnapshotStoreCrashTest {
    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesTheOldOrTheNewSnapshotIntact() throws Exception {
        int crashes = Integer.getInteger("raft.snapshot.crashes", 5);
        SplittableRandom rnd = new SplittableRandom(42);
        long lastCommitted = 0;
        for (int i = 0; i < crashes; i++) {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-XX:TieredStopAtLevel=1",
                            "-Xmx64m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            SnapshotCrashChild.class.getName(),
                            dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            int wanted = 1 + rnd.nextInt(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int n = 0; n < wanted && System.nanoTime() < deadline; n++) {
                String line = out.readLine();
                assertNotNull(line, "the child died on its own");
                lastCommitted = Long.parseLong(line.trim());
            }
            // Kill it at a random point of its next snapshot.
            Thread.sleep(rnd.nextInt(15));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            FileSnapshotStore reopened = new FileSnapshotStore(dir);
            SnapshotMeta latest = reopened.latest();
            assertNotNull(latest, "no snapshot after crash " + i);
            assertTrue(
                    latest.getIndex() >= lastCommitted,
                    "lost committed snapshot " + lastCommitted + ", have " + latest.getIndex());
            try (InputStream in = reopened.open(latest, 0)) {
                assertArrayEquals(SnapshotCrashChild.content(latest.getIndex()), in.readAllBytes());
            }
            try (var files = Files.list(dir)) {
                assertTrue(files.filter(f -> f.toString().endsWith(".snap")).count() == 1);
            }
            reopened.close();
        }
    }
}
