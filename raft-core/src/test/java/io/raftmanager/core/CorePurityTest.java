package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core is a pure function of its inputs: no threads, no clocks, no I/O, no ambient randomness. This
 * scans its sources (comments and string literals excluded) for anything that would break that.
 */
class CorePurityTest {
    private static final Map<String, Pattern> FORBIDDEN = Map.ofEntries(
            Map.entry("java.util.concurrent", Pattern.compile("\\bjava\\.util\\.concurrent\\b")),
            Map.entry("threads", Pattern.compile("\\bjava\\.lang\\.Thread\\b|\\bThread\\b")),
            Map.entry("ThreadLocalRandom", Pattern.compile("\\bThreadLocalRandom\\b")),
            Map.entry("synchronized", Pattern.compile("\\bsynchronized\\b")),
            Map.entry(
                    "file I/O",
                    Pattern.compile("\\bjava\\.io\\.File\\w*|\\bjava\\.nio\\.(file|channels)\\b"
                            + "|\\bnew\\s+File\\w*\\s*\\(|\\b(Files|Paths|FileChannel)\\s*\\.")),
            Map.entry("network", Pattern.compile("\\bjava\\.net\\b")),
            Map.entry(
                    "wall clock",
                    Pattern.compile(
                            "\\bjava\\.time\\.Clock\\b|\\bClock\\s*\\.|\\b(Instant|LocalDateTime)\\s*\\.\\s*now\\b"
                                    + "|\\bSystem\\s*\\.\\s*(currentTimeMillis|nanoTime)\\b")),
            Map.entry(
                    "ambient randomness",
                    Pattern.compile("\\bMath\\s*\\.\\s*random\\b|\\bnew\\s+(java\\.util\\.)?(Secure)?Random\\s*\\(")));

    static Path coreSources() {
        return Path.of(System.getProperty("user.dir"), "src/main/java/io/raftmanager/core");
    }

    /** Returns one "file:line: rule: text" per offending line. */
    static List<String> scan(String fileName, String source) {
        List<String> violations = new ArrayList<>();
        String[] code = stripCommentsAndStrings(source).split("\n", -1);
        String[] original = source.split("\n", -1);
        for (int i = 0; i < code.length; i++) {
            for (Map.Entry<String, Pattern> rule : FORBIDDEN.entrySet()) {
                if (rule.getValue().matcher(code[i]).find()) {
                    violations.add(fileName + ":" + (i + 1) + ": " + rule.getKey() + ": " + original[i].strip());
                }
            }
        }
        return violations;
    }

    /** Blanks out comments, string/char literals and text blocks, keeping every newline in place. */
    static String stripCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = skip(s, out, i, end < 0 ? n : end + 2);
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = skip(s, out, i, end < 0 ? n : end + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                i = skip(s, out, i, Math.min(n, j + 1));
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int skip(String s, StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            if (s.charAt(k) == '\n') {
                out.append('\n');
            }
        }
        return to;
    }

    @Test
    void coreSourcesUseNoThreadsClocksIoOrAmbientRandomness() throws IOException {
        Path root = coreSources();
        assertTrue(Files.isDirectory(root), "core sources not found at " + root);
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.size() >= 10, "suspiciously few core sources: " + files);
        for (Path f : files) {
            violations.addAll(scan(root.getParent().relativize(f).toString(), Files.readString(f)));
        }
        if (!violations.isEmpty()) {
            violations.forEach(System.err::println);
            fail("the core must stay pure; offending lines:\n" + String.join("\n", violations));
        }
    }

    @Test
    void scannerFlagsPlantedViolationsWithTheirLine() {
        String planted = String.join(
                "\n",
                "package io.raftmanager.core;",
                "import java.util.concurrent.ConcurrentHashMap;",
                "class Bad {",
                "  long t = System.nanoTime();",
                "  synchronized void f() { Thread.sleep(1); }",
                "  double r = Math.random();",
                "  java.util.Random g = new Random(42);",
                "  Object o = java.time.Instant.now();",
                "  Object p = java.nio.file.Path.of(\"x\");",
                "  java.net.Socket s;",
                "  long m = System.currentTimeMillis() + ThreadLocalRandom.current().nextInt();",
                "}");
        List<String> v = scan("Bad.java", planted);
        for (int line : new int[] {2, 4, 5, 6, 7, 8, 9, 10, 11}) {
            assertTrue(v.stream().anyMatch(s -> s.startsWith("Bad.java:" + line + ":")), "line " + line + ": " + v);
        }
        assertTrue(v.stream().noneMatch(s -> s.startsWith("Bad.java:1:") || s.startsWith("Bad.java:3:")), v::toString);
        assertTrue(v.contains("Bad.java:4: wall clock: long t = System.nanoTime();"), v::toString);
    }

    @Test
    void scannerIgnoresCommentsStringsAndLookalikeNames() {
        String clean = String.join(
                "\n",
                "/** Owns no threads; never calls System.nanoTime() or Thread.sleep. */",
                "class Good { // synchronized is not used here",
                "  String s = \"new Random( java.net Thread.\";",
                "  char q = '\"'; int threads = 0; RandomGenerator random;",
                "  /* multi",
                "     line Instant.now() */ long x = 1;",
                "  String tb = \"\"\"",
                "      Math.random()",
                "      \"\"\";",
                "}");
        assertEquals(List.of(), scan("Good.java", clean));
        assertEquals(10, stripCommentsAndStrings(clean).split("\n", -1).length);
    }
}
