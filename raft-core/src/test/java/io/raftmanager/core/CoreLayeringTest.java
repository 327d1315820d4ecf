package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core stays pure: its sources name neither the runtime ({@code io.raftmanager.node}), nor a storage or
 * transport implementation, nor a library that does I/O or keeps time. Checked on the sources, so that a
 * fully qualified name in the middle of a method counts as much as an import.
 */
class CoreLayeringTest {
    private static final Pattern FORBIDDEN = Pattern.compile("\\b(io\\.raftmanager\\.(node|storage|transport|examples)"
            + "|io\\.netty|org\\.rocksdb|io\\.micrometer|java\\.net|java\\.nio\\.file|java\\.util\\.concurrent"
            + "|System\\.(nanoTime|currentTimeMillis)|Thread\\.sleep)\\b");

    @Test
    void theCoreNamesNoRuntimeNoAdapterAndNoClock() throws IOException {
        Path core = Path.of("src/main/java/io/raftmanager/core");
        assertTrue(Files.isDirectory(core), "run from the raft-core module: " + core.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        int files;
        try (Stream<Path> sources = Files.walk(core)) {
            List<Path> java =
                    sources.filter(p -> p.toString().endsWith(".java")).toList();
            files = java.size();
            for (Path p : java) {
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = FORBIDDEN.matcher(lines.get(i));
                    if (m.find()) {
                        violations.add(core.relativize(p) + ":" + (i + 1) + " names " + m.group());
                    }
                }
            }
        }
        assertTrue(files > 20, "found the core's sources: " + files);
        assertEquals(List.of(), violations);
    }

    @Test
    void thePatternCatchesWhatItShould() {
        assertTrue(FORBIDDEN.matcher("import io.raftmanager.node.EventLoop;").find());
        assertTrue(FORBIDDEN.matcher("long t = System.nanoTime();").find());
        assertTrue(FORBIDDEN.matcher("import org.rocksdb.RocksDB;").find());
        assertTrue(!FORBIDDEN.matcher("import io.raftmanager.proto.Entry;").find());
    }
}
