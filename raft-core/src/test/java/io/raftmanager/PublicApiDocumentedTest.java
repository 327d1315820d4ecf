package io.raftmanager;

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
 * Every public type of the published modules carries a Javadoc comment. The Javadoc build checks
 * everything else (syntax, references, HTML) but not this, since its "missing" check would also demand an
 * {@code @param} for every argument, which the project's prose style does not use.
 */
class PublicApiDocumentedTest {
    private static final List<String> PUBLISHED = List.of(
            "raft-core", "raft-testkit", "raft-metrics-micrometer", "raft-transport-netty", "raft-storage-rocksdb");
    private static final Pattern PUBLIC_TYPE =
            Pattern.compile("^\\s*public\\s+(?:(?:static|final|abstract|sealed|non-sealed|strictfp)\\s+)*"
                    + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");

    /** The undocumented public types in one file's text. */
    static List<String> undocumented(String file, String source) {
        List<String> out = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = PUBLIC_TYPE.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            int j = i - 1;
            while (j >= 0 && lines[j].strip().startsWith("@")) {
                j--; // annotations sit between the comment and the declaration
            }
            if (j < 0 || !lines[j].strip().endsWith("*/")) {
                out.add(file + ":" + (i + 1) + " " + m.group(1));
            }
        }
        return out;
    }

    @Test
    void everyPublicTypeOfThePublishedModulesIsDocumented() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : PUBLISHED) {
            Path root = Path.of("..", module, "src/main/java");
            if (!Files.isDirectory(root)) {
                continue; // a module built alone from its own directory
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.filter(f -> f.toString().endsWith(".java")).toList()) {
                    files++;
                    found.addAll(undocumented(module + "/" + root.relativize(p), Files.readString(p)));
                }
            }
        }
        assertTrue(files >= 100, "scanned only " + files + " files");
        assertEquals(List.of(), found);
    }

    @Test
    void theScanSeesAMissingComment() {
        assertEquals(
                1,
                undocumented("A.java", "package a;\n\npublic final class A {}\n")
                        .size());
        assertEquals(List.of(), undocumented("A.java", "/** Doc. */\n@Deprecated\npublic final class A {}\n"));
        assertEquals(
                1,
                undocumented("A.java", "/** A. */\nclass A {\n    public record B(int x) {}\n}\n")
                        .size());
    }
}
