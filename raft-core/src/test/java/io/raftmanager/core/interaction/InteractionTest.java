package io.raftmanager.core.interaction;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every script in {@code src/test/resources/interaction} and compares the transcript it produces
 * with the file (etcd-io/raft {@code interaction_test.go}). With {@code -Draft.golden.rewrite=true} the
 * files are rewritten with the produced transcript instead; review the diff before committing it.
 */
class InteractionTest {
    private static final boolean REWRITE = Boolean.getBoolean("raft.golden.rewrite");
    private static final int CONTEXT = 4;

    @TestFactory
    Stream<DynamicTest> interactions() throws IOException {
        Path dir = scriptDir();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            fail("no interaction scripts in " + dir);
        }
        return files.stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> runFile(f)));
    }

    private static Path scriptDir() {
        String basedir = System.getProperty("basedir");
        Path root = basedir != null ? Paths.get(basedir) : Paths.get("").toAbsolutePath();
        return root.resolve("src/test/resources/interaction");
    }

    private static void runFile(Path file) throws IOException {
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        Script script = Script.parse(expected);
        InteractionEnv env = new InteractionEnv();
        String actual = script.render(item -> {
            try {
                return Commands.run(env, item.command());
            } catch (ScriptException e) {
                throw new ScriptException(
                        file.getFileName() + ":" + item.lineNumber() + ": " + item.command() + ": " + e.getMessage());
            }
        });
        if (REWRITE) {
            if (!actual.equals(expected)) {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            }
            return;
        }
        if (!actual.equals(expected)) {
            fail(file.getFileName() + " differs from the produced transcript (rerun with -Draft.golden.rewrite=true"
                    + " to accept it):\n" + diff(expected, actual));
        }
    }

    /** The first differing line, with a few lines of context, in a unified-diff-like form. */
    static String diff(String expected, String actual) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        int first = 0;
        while (first < e.size() && first < a.size() && e.get(first).equals(a.get(first))) {
            first++;
        }
        int from = Math.max(0, first - CONTEXT);
        StringBuilder sb = new StringBuilder("@@ line " + (first + 1) + " @@\n");
        for (int i = from; i < first; i++) {
            sb.append("  ").append(e.get(i)).append('\n');
        }
        for (int i = first; i < Math.min(e.size(), first + CONTEXT); i++) {
            sb.append("- ").append(e.get(i)).append('\n');
        }
        for (int i = first; i < Math.min(a.size(), first + CONTEXT); i++) {
            sb.append("+ ").append(a.get(i)).append('\n');
        }
        return sb.toString();
    }
}
