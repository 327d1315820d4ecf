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
        Run run = runCluster();
        int base = run.base();
        String out = run.out();
        assertTrue(out.contains("node 3: redis 127.0.0.1:" + (base + 3)), out);
        assertTrue(out.contains("leader: node "), out);
        assertTrue(out.contains("all nodes stopped"), out);
    }

    @Test
    void aSecureInProcessClusterElectsALeaderOverMutualTlsAndPrintsHowToConnect() throws Exception {
        Run run = runCluster("--secure");
        int base = run.base();
        String out = run.out();
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
        assertTrue(!out.contains("try: redis-cli -p"), "no plaintext redis-cli hint in secure mode: " + out);
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

    /** What a {@code raft-kv cluster --in-process} run printed, and the base port it used. */
    private record Run(int base, String out) {}

    /** Runs a 3-node in-process cluster for 8 s on ports below the ephemeral range; asserts it exits 0. */
    private Run runCluster(String... flags) {
        int base = 20_000
                + ThreadLocalRandom.current()
                        .nextInt(10_000); // ports up to base+2003: below the ephemeral range (32768)
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("cluster"));
        args.addAll(java.util.List.of(flags));
        args.addAll(java.util.List.of(
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
                "8000"));
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = RaftKv.commandLine().execute(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        return new Run(base, out);
    }
}
