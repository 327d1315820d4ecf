package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB snapshot crosses between two servers' transfer workers in a child JVM with a 48 MiB heap: the
 * transfer streams in a bounded window of chunks and never holds the snapshot. {@code
 * -Draft.test.snapshotMiB} changes the size.
 */
class SnapshotTransferHeapTest {
    @Test
    void aSnapshotMuchLargerThanTheHeapIsTransferred() throws Exception {
        long mib = Long.getLong("raft.test.snapshotMiB", 1024);
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+UseSerialGC",
                        "-Xmx48m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SnapshotTransferHeapChild.class.getName(),
                        Long.toString(mib))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "child finished");
        List<String> lines = out.lines()
                .filter(l -> l.matches("^(TRANSFERRED|FAILED|OOM).*"))
                .toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.get(0).startsWith("TRANSFERRED " + mib + " "), out);
    }
}
