package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extracts the README's Java examples, compiles each against this build and runs it: the README cannot rot. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String output = run("CounterExample");
        assertTrue(output.contains("counter after propose: 42, read: 42"), output);
    }

    @Test
    void readmeMultiGroupExampleCompilesAndRuns() throws Exception {
        String output = run("MultiGroupExample");
        assertTrue(
                output.contains("server 1 hosts 100 groups, server 3 hosts 99; group 42 reads: value of group 42"),
                output);
    }

    /** Compiles and runs the README's ```java block that declares {@code className}; returns its output. */
    private String run(String className) throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        String source = null;
        while (source == null && m.find()) {
            if (m.group(1).contains("public class " + className + " ")) {
                source = m.group(1);
            }
        }
        assertTrue(source != null, "README has a ```java block declaring " + className);
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);

        String classpath = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", dir.toString(), "-cp", classpath, file.toString());
        assertEquals(0, rc, "the README example " + className + " compiles");

        Path out = dir.resolve(className + ".txt");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        dir + File.pathSeparator + classpath,
                        className)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finishes");
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
