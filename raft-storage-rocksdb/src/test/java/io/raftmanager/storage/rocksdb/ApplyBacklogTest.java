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
 * The apply backlog is bounded by a memory budget (four times {@code RaftConfig.maxApplyBytes}), so a long
 * replay into a slow state machine cannot exhaust the heap: a child JVM with a 48 MiB heap replays a
 * 192 MiB committed log. The same child with a budget larger than its heap runs out of memory, which is
 * what an unbounded hand-out would do whatever the budget.
 */
class ApplyBacklogTest {
    private static final int ENTRIES = 1536;
    private static final int ENTRY_BYTES = 128 << 10; // 192 MiB in all

    @TempDir
    Path dir;

    @Test
    void aLongReplayIntoASlowStateMachineFitsASmallHeap() throws Exception {
        List<String> lines = runChild(dir.resolve("bounded"), 1 << 20);
        assertEquals("WROTE " + (long) ENTRIES * ENTRY_BYTES, lines.get(0), lines::toString);
        String[] applied = lines.get(1).split(" ");
        assertEquals("APPLIED", applied[0], lines::toString);
        assertTrue(Long.parseLong(applied[1]) >= ENTRIES, "every entry applied (then the leader's own): " + lines);
        assertEquals("null", applied[3], lines::toString);
    }

    @Test
    void aBudgetLargerThanTheHeapRunsOutOfMemory() throws Exception {
        List<String> lines = runChild(dir.resolve("unbounded"), 1L << 30);
        assertEquals("OOM", lines.get(lines.size() - 1), lines::toString);
    }

    private static List<String> runChild(Path db, long maxApplyBytes) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx48m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ApplyBacklogChild.class.getName(),
                        db.toString(),
                        Integer.toString(ENTRIES),
                        Integer.toString(ENTRY_BYTES),
                        Long.toString(maxApplyBytes))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process child = pb.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "child finished");
        return out.lines().filter(l -> l.matches("^(WROTE|APPLIED|OOM).*")).toList();
    }
}
