package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        URI uri = URI.create("http://" + KvNode.hostPort(node.httpAddress()) + path);
        return HTTP.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.ofString("{\"id\": 2}"))
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
    }

    @Test
    void endpointsTheLibraryCannotServeYetAnswer501WithJson() throws Exception {
        for (String[] call : new String[][] {
            {"POST", "/members"}, {"DELETE", "/members/3"}, {"POST", "/leader"}, {"POST", "/snapshot"}
        }) {
            HttpResponse<String> r = send(call[0], call[1]);
            assertEquals(501, r.statusCode(), call[1]);
            assertTrue(r.body().contains("\"error\":"), r.body());
        }
        assertEquals(404, get("/nope").statusCode());
        assertEquals(405, send("POST", "/status").statusCode());
    }
}
