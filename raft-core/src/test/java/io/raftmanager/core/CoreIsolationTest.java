package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture rule that keeps the core pure: sources under {@code io.raftmanager.core} refer to the
 * protocol, the SPI interfaces, the public API's value types, protobuf, SLF4J and the JDK, and never to
 * the runtime ({@code io.raftmanager.node}), a storage or transport implementation, another module
 * (testkit, metrics, adapters, examples), or a source of time, randomness, threads or files.
 */
class CoreIsolationTest {
    private static final Path CORE = Path.of("src/main/java/io/raftmanager/core");

    /** A package or class the core may not name, with why. */
    private record Rule(Pattern pattern, String why) {}

    private static final List<Rule> FORBIDDEN = List.of(
            new Rule(Pattern.compile("\\bio\\.raftmanager\\.node\\b"), "the runtime"),
            new Rule(Pattern.compile("\\bio\\.raftmanager\\.(storage|transport)\\b"), "a storage or transport"),
            new Rule(Pattern.compile("\\bio\\.raftmanager\\.(testkit|metrics|examples|sim)\\b"), "another module"),
            new Rule(Pattern.compile("\\b(io\\.netty|org\\.rocksdb|io\\.micrometer)\\b"), "an adapter's library"),
            new Rule(
                    Pattern.compile("\\bSystem\\.(nanoTime|currentTimeMillis)\\b|\\bInstant\\.now\\b"),
                    "a clock (time comes in as input)"),
            new Rule(
                    Pattern.compile("\\bjava\\.util\\.Random\\b|\\bThreadLocalRandom\\b|\\bnew Random\\("),
                    "an unseeded random source (randomness comes in as input)"),
            new Rule(
                    Pattern.compile("\\bjava\\.util\\.concurrent\\b|\\bnew Thread\\b|\\bThread\\.sleep\\b"),
                    "threads (the core is single-threaded)"),
            new Rule(Pattern.compile("\\bjava\\.nio\\.file\\b|\\bjava\\.io\\.File\\b|\\bjava\\.net\\b"), "I/O"));

    /** The violations in one source file's text, one line each. */
    static List<String> violations(String file, String source) {
        List<String> out = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                continue; // comments may mention anything
            }
            for (Rule r : FORBIDDEN) {
                Matcher m = r.pattern().matcher(line);
                if (m.find()) {
                    out.add(file + ":" + (i + 1) + " names " + m.group() + " (" + r.why() + "): " + line);
                }
            }
        }
        return out;
    }

    @Test
    void theCoreNamesNeitherTheRuntimeNorAnAdapterNorAnyIo() throws IOException {
        List<String> found = new ArrayList<>();
        int files;
        try (Stream<Path> walk = Files.walk(CORE)) {
            List<Path> sources =
                    walk.filter(p -> p.toString().endsWith(".java")).toList();
            files = sources.size();
            for (Path p : sources) {
                found.addAll(violations(CORE.relativize(p).toString(), read(p)));
            }
        }
        assertTrue(files >= 20, "scanned only " + files + " files under " + CORE.toAbsolutePath());
        assertEquals(List.of(), found);
    }

    @Test
    void theRuleCatchesWhatItForbids() {
        assertEquals(
                1, violations("A.java", "import io.raftmanager.node.EventLoop;").size());
        assertEquals(
                1,
                violations("A.java", "import io.raftmanager.storage.memory.MemoryLogStorage;")
                        .size());
        assertEquals(1, violations("A.java", "import io.netty.buffer.ByteBuf;").size());
        assertEquals(1, violations("A.java", "long t = System.nanoTime();").size());
        assertEquals(
                1,
                violations("A.java", "import java.util.concurrent.atomic.AtomicLong;")
                        .size());
        assertEquals(List.of(), violations("A.java", "import io.raftmanager.spi.LogReader;"));
        assertEquals(List.of(), violations("A.java", " * unlike io.raftmanager.node.EventLoop, which"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
