package io.raftmanager.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.RaftKv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandTest {
    @TempDir
    Path dir;

    @Test
    void anInProcessClusterElectsALeaderAndStopsCleanly() {
        int base = 20_000
                + ThreadLocalRandom.current()
                        .nextInt(10_000); // ports up to base+2003: below the ephemeral range (32768)
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = RaftKv.commandLine()
                    .execute(
                            "cluster",
                            "--in-process",
                            "--nodes",
                            "3",
                            "--base-port",
                            Integer.toString(base),
                            "--data",
                            dir.toString(),
                            "--election-timeout-ms",
                            "300",
                            "--heartbeat-ms",
                            "50",
                            "--run-for-ms",
                            "8000");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("node 3: redis 127.0.0.1:" + (base + 3)), out);
        assertTrue(out.contains("leader: node "), out);
        assertTrue(out.contains("all nodes stopped"), out);
    }

    @Test
    void aSecureInProcessClusterElectsALeaderOverMutualTlsAndPrintsHowToConnect() throws Exception {
        int base = 20_000
                + ThreadLocalRandom.current()
                        .nextInt(10_000); // ports up to base+2003: below the ephemeral range (32768)
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = RaftKv.commandLine()
                    .execute(
                            "cluster",
                            "--secure",
                            "--in-process",
                            "--nodes",
                            "3",
                            "--base-port",
                            Integer.toString(base),
                            "--data",
                            dir.toString(),
                            "--election-timeout-ms",
                            "300",
                            "--heartbeat-ms",
                            "50",
                            "--run-for-ms",
                            "8000");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        // The watcher reads /status over HTTPS with the token: a leader line proves both work.
        assertTrue(out.contains("leader: node "), out);
        assertTrue(out.contains("https://127.0.0.1:" + (base + 2001) + "/status"), out);
        Path secure = dir.resolve("secure");
        String token =
                java.nio.file.Files.readString(secure.resolve("admin-token")).strip();
        assertTrue(token.length() >= 32, "a random token");
        assertTrue(!out.contains(token), "the token itself is never printed");
        String password =
                java.nio.file.Files.readString(secure.resolve("redis-password")).strip();
        assertTrue(password.length() >= 32, "a random password");
        assertTrue(!out.contains(password), "the password itself is never printed");
        assertTrue(
                out.contains(
                        "redis-cli --tls --cacert " + secure.resolve("ca.pem").toAbsolutePath()),
                out);
        for (String f : new String[] {"admin-token", "redis-password", "n1/key.pem", "n3/key.pem"}) {
            assertEquals(
                    "rw-------",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            java.nio.file.Files.getPosixFilePermissions(secure.resolve(f))),
                    f);
        }
    }

    @Test
    void badNodeCountIsAUsageError() {
        assertEquals(2, RaftKv.commandLine().execute("cluster", "--nodes", "0"));
    }
}
