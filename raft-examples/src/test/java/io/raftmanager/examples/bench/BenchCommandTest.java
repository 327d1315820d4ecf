package io.raftmanager.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.RaftKv;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.KvNodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void benchReportsPercentilesAndWritesHgrmAndHtml() throws Exception {
        InetSocketAddress raft = new InetSocketAddress("127.0.0.1", freePort());
        KvNodeConfig config = new KvNodeConfig(
                1,
                "bench",
                raft,
                new InetSocketAddress("127.0.0.1", freePort()),
                null,
                Map.of(1L, raft),
                dir.resolve("n1"),
                false,
                300,
                50,
                0,
                0,
                4096,
                5_000,
                "memory",
                0);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (KvNode node = KvNode.start(config)) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!node.isLeader() && System.nanoTime() < deadline) {
                Thread.sleep(20); // a single node elects itself; errors before that would be counted
            }
            assertTrue(node.isLeader());
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int rc = RaftKv.commandLine()
                    .execute(
                            "bench",
                            "--redis",
                            KvNode.hostPort(node.redisAddress()),
                            "--clients",
                            "4",
                            "--duration",
                            "3s",
                            "--read-ratio",
                            "0.5",
                            "--read-mode",
                            "stale",
                            "--out",
                            dir.resolve("out").toString());
            assertEquals(0, rc);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("latency ms: p50 "), out);
        assertTrue(out.contains("errors 0"), out);
        List<Path> files;
        try (var s = Files.list(dir.resolve("out"))) {
            files = s.sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        assertTrue(Files.readString(files.get(0)).contains("Value     Percentile TotalCount"));
        String html = Files.readString(files.get(1));
        assertTrue(html.contains("<svg") && html.contains("<polyline") && !html.contains("<script"), html);
    }

    @Test
    void durationsParse() {
        assertEquals(500_000_000L, BenchCommand.parseDuration("500ms"));
        assertEquals(30_000_000_000L, BenchCommand.parseDuration("30s"));
        assertEquals(120_000_000_000L, BenchCommand.parseDuration("2m"));
        assertEquals(2_000_000_000L, BenchCommand.parseDuration("2"));
    }
}
