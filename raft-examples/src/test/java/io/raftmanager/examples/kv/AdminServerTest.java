package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.testing.RespTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
    @TempDir
    static Path dir;

    static KvNode node;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), 1024));
        TestNodes.await(
                "a leader", Duration.ofSeconds(20), () -> get("/status").body().contains("\"role\":\"leader\""));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> send(String method, String path) throws Exception {
        return send(method, path, "{\"id\": 2}");
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        URI uri = URI.create("http://" + KvNode.hostPort(node.httpAddress()) + path);
        return HTTP.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + KvNode.hostPort(node.httpAddress()) + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statusIsJson() throws Exception {
        HttpResponse<String> r = get("/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        String body = r.body();
        assertTrue(body.startsWith("{\"id\":1,\"role\":\"leader\",\"term\":"), body);
        assertTrue(body.contains("\"members\":[{\"id\":1,\"raft\":"), body);
        assertTrue(body.contains("\"matchIndex\":"), body);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        try (RespTestClient c = new RespTestClient(node.redisAddress())) {
            c.call("SET", "m", "1");
            c.call("NOPE");
        }
        String body = get("/metrics").body();
        assertTrue(body.contains("raftkv_command_seconds_count{command=\"set\",outcome=\"ok\"}"), body);
        assertTrue(body.contains("raftkv_command_seconds_count{command=\"other\",outcome=\"error\"}"), body);
        assertTrue(body.contains("raft_is_leader 1.0"), body);
        assertTrue(body.contains("raft_transport_messages_sent_total"), body);
        // Latency histograms with buckets, for histogram_quantile() in Prometheus.
        assertTrue(body.contains("raftkv_command_seconds_bucket{command=\"set\",outcome=\"ok\",le=\""), body);
        // The library's Raft metrics through the Micrometer binder: fsync and apply latency, elections.
        assertTrue(body.contains("raft_log_write_seconds_bucket{group=\"0\",node=\"1\",sync=\"true\",le="), body);
        assertTrue(body.contains("raft_apply_seconds_count{group=\"0\",node=\"1\"}"), body);
        assertTrue(body.contains("raft_elections_won_total{group=\"0\",node=\"1\"} 1.0"), body);
        assertTrue(body.contains("raft_commit_index{group=\"0\",node=\"1\"}"), body);
        // The JVM and the process.
        assertTrue(body.contains("jvm_memory_used_bytes{"), body);
        assertTrue(body.contains("jvm_threads_live_threads"), body);
        assertTrue(body.contains("process_cpu_usage"), body);
        assertTrue(body.contains("jvm_gc_"), body);
    }

    /** Every metric docs/grafana-raft-kv.json queries is one raft-kv exposes (the dashboard cannot rot). */
    @Test
    void theGrafanaDashboardQueriesOnlyExposedMetrics() throws Exception {
        try (RespTestClient c = new RespTestClient(node.redisAddress())) {
            c.call("SET", "g", "1");
        }
        String scrape = get("/metrics").body();
        String dashboard = java.nio.file.Files.readString(
                Path.of(System.getProperty("user.dir")).resolveSibling("docs/grafana-raft-kv.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\\b((?:raftkv|raft|jvm|process|system)_[a-z_]+?)(?:_bucket|_count|_sum|_total)?(?=\\{|\\[)")
                .matcher(dashboard);
        // Meters that exist only after an event: a follower to replicate to, a rejection, a collection.
        java.util.Set<String> eventual = java.util.Set.of(
                "raft_replication_lag", "raft_proposals_rejected", "jvm_gc_pause_seconds", "raftkv_clients_connected");
        int checked = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!eventual.contains(name)) {
                assertTrue(scrape.contains(name), "the dashboard queries " + name + ", which /metrics lacks");
                checked++;
            }
        }
        assertTrue(checked >= 15, "only " + checked + " metric references found in the dashboard");
    }

    @Test
    void postSnapshotAnswersItsIndexAndStatusShowsIt() throws Exception {
        try (RespTestClient c = new RespTestClient(node.redisAddress())) {
            assertEquals("OK", c.call("SET", "snap", "1"));
        }
        long applied = node.stateMachine().appliedIndex(); // the SET at least
        HttpResponse<String> r = send("POST", "/snapshot", "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "^\\{\"index\":(\\d+),\"term\":[1-9]\\d*,\"sizeBytes\":[1-9]\\d*}$")
                .matcher(r.body());
        assertTrue(m.matches(), r.body());
        long index = Long.parseLong(m.group(1));
        assertTrue(index >= applied && applied > 0, r.body() + " vs applied " + applied);
        assertTrue(
                get("/status").body().contains("\"snapshotIndex\":" + index),
                get("/status").body());
        assertEquals(405, send("GET", "/snapshot").statusCode());
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        assertEquals(405, send("POST", "/status").statusCode());
        assertEquals(405, send("GET", "/members").statusCode());
    }

    @Test
    void badAdminRequestsGet4xxWithAJsonError() throws Exception {
        String[][] cases = {
            {"POST", "/members", "{\"id\": 4, \"address\": ", "400"},
            {"POST", "/members", "[1, 2]", "400"},
            {"POST", "/members", "{\"id\": -4, \"address\": \"127.0.0.1:1\"}", "400"},
            {"POST", "/members", "{\"id\": 4, \"address\": \"nowhere\"}", "400"},
            {"POST", "/members", "{\"id\": 4}", "400"},
            {"POST", "/members", "{\"id\": 4, \"address\": \"127.0.0.1:1\", \"role\": \"boss\"}", "400"},
            {"POST", "/members", "{\"id\": 1, \"address\": \"127.0.0.1:1\", \"role\": \"voter\"}", "409"},
            {"DELETE", "/members/abc", "", "400"},
            {"DELETE", "/members/9", "", "404"},
            {"POST", "/leader", "{\"id\": 9}", "409"},
            {"POST", "/leader", "{}", "400"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r;
            try {
                r = send(c[0], c[1], c[2]);
            } catch (java.io.IOException e) {
                throw new AssertionError("no answer to " + c[0] + " " + c[1] + " " + c[2], e);
            }
            assertEquals(Integer.parseInt(c[3]), r.statusCode(), c[0] + " " + c[1] + " " + c[2] + " -> " + r.body());
            assertTrue(r.body().startsWith("{\"error\":"), r.body());
        }
    }

    @Test
    void transferToItselfIsANoOp() throws Exception {
        HttpResponse<String> r = send("POST", "/leader", "{\"id\": 1}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"leader\":1"), r.body());
    }
}
