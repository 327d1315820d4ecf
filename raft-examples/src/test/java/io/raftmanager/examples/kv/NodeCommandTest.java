package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.RaftKv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The node's command line: help, and one clear line for every mistake. */
class NodeCommandTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = RaftKv.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    List<String> valid(String data) {
        int raft = TestNodes.freePort();
        return new ArrayList<>(List.of(
                "node",
                "--id",
                "1",
                "--raft",
                "127.0.0.1:" + raft,
                "--redis",
                "127.0.0.1:" + TestNodes.freePort(),
                "--peers",
                "1=127.0.0.1:" + raft,
                "--data",
                data));
    }

    @Test
    void helpDocumentsEveryFlag() {
        Run r = run("node", "--help");
        assertEquals(0, r.exitCode());
        for (String flag : List.of(
                "--id",
                "--raft",
                "--redis",
                "--http",
                "--peers",
                "--data",
                "--cluster-id",
                "--join",
                "--groups",
                "--election-timeout-ms",
                "--heartbeat-ms",
                "--snapshot-entries",
                "--snapshot-trailing-entries",
                "--max-bulk-bytes",
                "--request-timeout-ms",
                "--storage",
                "--peer-tls-cert",
                "--peer-tls-key",
                "--peer-tls-ca",
                "--admin-token-file",
                "--admin-tls-cert")) {
            assertTrue(r.out().contains(flag), flag);
        }
    }

    @Test
    void invalidFlagsGiveOneLineAndExitCode2() {
        List<List<String>> bad = List.of(
                List.of("node", "--id", "1"),
                List.of("node", "--no-such-flag"),
                replace(valid("d"), "--raft", "localhost"),
                replace(valid("d"), "--redis", "127.0.0.1:99999"),
                replace(valid("d"), "--peers", "2=127.0.0.1:1"),
                replace(valid("d"), "--peers", "x=127.0.0.1:1"),
                append(valid("d"), "--heartbeat-ms", "0"),
                append(valid("d"), "--max-bulk-bytes", "100000000"),
                append(valid("d"), "--groups", "0"),
                append(valid("d"), "--groups", "16385"));
        for (List<String> args : bad) {
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), args.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("raft-kv: "), r.err());
        }
    }

    @Test
    void securityMistakesGiveOneLineAndExitCode2() throws Exception {
        Path open = Files.writeString(dir.resolve("open-token"), "t0ken");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        List<List<String>> bad = List.of(
                append(valid("d"), "--peer-tls-cert", cert.toString()),
                append(valid("d"), "--admin-token-file", open.toString()),
                append(valid("d"), "--http", "0.0.0.0:" + TestNodes.freePort()));
        for (List<String> args : bad) {
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), args.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(!r.err().contains("t0ken"), "a secret never appears in an error");
        }
        assertTrue(run(append(valid("d"), "--admin-token-file", open.toString()).toArray(String[]::new))
                .err()
                .contains("chmod 600"));
    }

    @Test
    void anUnusableDataDirectoryIsOneLineAndExitCode1() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Run r = run(valid(file.toString()).toArray(String[]::new));
        assertEquals(1, r.exitCode());
        assertEquals(
                "raft-kv node: data directory " + file + " is not a directory",
                r.err().strip());
    }

    @Test
    void aDataDirectoryOfAnotherNodeIsRefused() {
        DataDir.prepare(dir.resolve("n2"), "raft-kv", 2);
        Run r = run(valid(dir.resolve("n2").toString()).toArray(String[]::new));
        assertEquals(1, r.exitCode());
        assertTrue(
                r.err().strip().endsWith("belongs to node 2 of cluster 'raft-kv', not node 1 of cluster 'raft-kv'"),
                r.err());
        assertEquals(1, r.err().strip().lines().count());
    }

    @Test
    void aDataDirectoryOfAnotherClusterIsRefusedEvenWhenJoining() {
        DataDir.prepare(dir.resolve("other"), "another-cluster", 1);
        Run r = run(append(valid(dir.resolve("other").toString()), "--join").toArray(String[]::new));
        assertEquals(1, r.exitCode());
        assertTrue(
                r.err()
                        .strip()
                        .endsWith("belongs to node 1 of cluster 'another-cluster', not node 1 of cluster 'raft-kv'"),
                r.err());
        assertEquals(1, r.err().strip().lines().count());
    }

    @Test
    void unknownStorageIsOneLine() {
        Run r = run(append(valid(dir.resolve("n1").toString()), "--storage", "floppy")
                .toArray(String[]::new));
        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aBusyPortIsOneLine() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<String> args =
                    replace(valid(dir.resolve("n1").toString()), "--redis", "127.0.0.1:" + busy.getLocalPort());
            Run r = run(args.toArray(String[]::new));
            assertEquals(1, r.exitCode());
            assertTrue(r.err().startsWith("raft-kv node: cannot listen for Redis clients on 127.0.0.1:"), r.err());
            assertEquals(1, r.err().strip().lines().count());
        }
    }

    private static List<String> replace(List<String> args, String flag, String value) {
        args.set(args.indexOf(flag) + 1, value);
        return args;
    }

    private static List<String> append(List<String> args, String... more) {
        args.addAll(List.of(more));
        return args;
    }
}
