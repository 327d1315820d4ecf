package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.admin.AdminTls;
import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.Secret;
import io.raftmanager.examples.kv.security.SecretFiles;
import io.raftmanager.examples.kv.security.TlsFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API with a bearer token and HTTPS: without the right token nothing is shown and nothing changes. */
class AdminAuthTest {
    static final String TOKEN = "s3cr3t-admin-token-for-tests";

    @TempDir
    static Path dir;

    static KvNode node;
    static HttpClient https;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Pki ca = Pki.newCa("admin-test-ca", Duration.ofDays(1));
        Path certs = Files.createDirectories(dir.resolve("tls"));
        Pki.write(ca.issueNode(1), certs.resolve("cert.pem"), certs.resolve("key.pem"));
        ca.writeCa(certs.resolve("ca.pem"));
        TlsFiles adminTls = new TlsFiles(
                "--admin-tls", certs.resolve("cert.pem"), certs.resolve("key.pem"), certs.resolve("ca.pem"));
        Path tokenFile = dir.resolve("token");
        SecretFiles.writePrivate(tokenFile, TOKEN + "\n");
        KvSecurity security = new KvSecurity(
                null, false, SecretFiles.readSecret("--admin-token-file", tokenFile), adminTls, 0, null, null);
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), 1024).withSecurity(security));
        https = HttpClient.newBuilder().sslContext(AdminTls.client(adminTls)).build();
        base = "https://" + KvNode.hostPort(node.httpAddress());
        TestNodes.await("a leader", Duration.ofSeconds(30), node::isLeader);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> call(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.ofString(method.equals("GET") ? "" : "{\"id\": 1}"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointWantsTheToken() throws Exception {
        for (String[] e : List.of(
                new String[] {"GET", "/status"},
                new String[] {"GET", "/metrics"},
                new String[] {"DELETE", "/members/1"},
                new String[] {"POST", "/members"},
                new String[] {"POST", "/leader"},
                new String[] {"POST", "/snapshot"})) {
            HttpResponse<String> none = call(e[0], e[1], null);
            assertEquals(401, none.statusCode(), e[0] + " " + e[1]);
            assertEquals("{\"error\":\"missing bearer token\",\"status\":401}", none.body());
            assertEquals(
                    "application/json",
                    none.headers().firstValue("Content-Type").orElse(""));
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            HttpResponse<String> wrong = call(e[0], e[1], "Bearer " + TOKEN + "x");
            assertEquals(401, wrong.statusCode(), e[0] + " " + e[1]);
            assertEquals("{\"error\":\"wrong bearer token\",\"status\":401}", wrong.body());
            assertEquals(401, call(e[0], e[1], "Basic " + TOKEN).statusCode(), "only a bearer token counts");
        }
    }

    @Test
    void refusedWritesChangeNothing() throws Exception {
        long snapshotBefore = node.stateMachine().snapshotIndex();
        assertEquals(401, call("DELETE", "/members/1", "Bearer nope").statusCode());
        assertEquals(401, call("POST", "/snapshot", null).statusCode());
        assertEquals(List.of(1L), node.membership().getVotersList());
        assertTrue(node.isLeader());
        assertEquals(snapshotBefore, node.stateMachine().snapshotIndex());
    }

    @Test
    void theRightTokenWorksAndIsNeverShown() throws Exception {
        HttpResponse<String> status = call("GET", "/status", "Bearer " + TOKEN);
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"role\":\"leader\""), status.body());
        assertFalse(status.body().contains(TOKEN));
        call("GET", "/status", "Bearer wrong");
        HttpResponse<String> metrics = call("GET", "/metrics", "bearer " + TOKEN);
        assertEquals(200, metrics.statusCode());
        assertFalse(metrics.body().contains(TOKEN));
        assertTrue(
                metrics.body().matches("(?s).*raftkv_auth_failures_total\\{endpoint=\"admin\"} [1-9].*"),
                "refusals are counted");
        assertFalse(node.config().toString().contains(TOKEN), "the configuration prints no secret");
    }

    @Test
    void plainHttpGetsNoAnswerFromAnHttpsAdminPort() {
        HttpClient plain = HttpClient.newHttpClient();
        assertThrows(
                java.io.IOException.class,
                () -> plain.send(
                        HttpRequest.newBuilder(URI.create("http://" + KvNode.hostPort(node.httpAddress()) + "/status"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void secretFilesOthersCanReadAreRefused() throws Exception {
        Path open = dir.resolve("open-token");
        Files.writeString(open, "token");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        StartupException e =
                assertThrows(StartupException.class, () -> SecretFiles.readSecret("--admin-token-file", open));
        assertTrue(e.getMessage().contains("too open"), e.getMessage());
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-------"));
        assertTrue(SecretFiles.readSecret("--admin-token-file", open).matches("token"));
        Path key = dir.resolve("tls").resolve("key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw----r--"));
        try {
            assertThrows(
                    StartupException.class,
                    () -> new TlsFiles("--peer-tls", dir.resolve("tls/cert.pem"), key, dir.resolve("tls/ca.pem")));
        } finally {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void withoutATokenTheAdminApiStaysOnLoopback() {
        KvNodeConfig c = TestNodes.singleNode(dir.resolve("other"), 1024);
        StartupException e = assertThrows(
                StartupException.class,
                () -> new KvNodeConfig(
                        c.id(),
                        c.clusterId(),
                        c.raft(),
                        c.redis(),
                        new java.net.InetSocketAddress("0.0.0.0", 0),
                        c.peers(),
                        c.dataDir(),
                        false,
                        c.electionTimeoutMillis(),
                        c.heartbeatMillis(),
                        0,
                        0,
                        1024,
                        5_000,
                        "memory",
                        0));
        assertTrue(e.getMessage().contains("--admin-token-file"), e.getMessage());
        assertTrue(Secret.of("x").toString().indexOf('x') < 0);
    }
}
