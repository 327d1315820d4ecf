package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.SecretFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin token is re-read when its file changes, without a restart; a file that does not load changes nothing. */
class AdminTokenReloadTest {
    static final String OLD = "old-admin-token-0123456789";
    static final String NEW = "new-admin-token-9876543210";
    static final String OPEN = "token-in-a-world-readable-file";

    @TempDir
    Path dir;

    private KvNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private int status(String token) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://" + KvNode.hostPort(node.httpAddress()) + "/status"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** Replaces the file as an operator would: write a new file beside it, then rename it over the old one. */
    private static void replace(Path file, String token, String permissions) throws Exception {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        SecretFiles.writePrivate(next, token + "\n");
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString(permissions));
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aChangedTokenFileTakesEffectWithoutARestartAndABrokenOneKeepsTheOldToken() throws Exception {
        Path tokenFile = dir.resolve("admin-token");
        SecretFiles.writePrivate(tokenFile, OLD + "\n");
        KvSecurity security = new KvSecurity(null, false, null, null, 100, null, null).withAdminTokenFile(tokenFile);
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), 1024).withSecurity(security));
        assertEquals(200, status(OLD));
        assertEquals(401, status(NEW));

        replace(tokenFile, NEW, "rw-------");
        TestNodes.await(
                "the new token to be read from the changed file", Duration.ofSeconds(30), () -> status(NEW) == 200);
        assertEquals(401, status(OLD), "the old token stops working");
        assertTrue(node.metrics().scrape().contains("raftkv_admin_token_reloads_total{outcome=\"ok\"} 1.0"));

        // Readable by others: refused as at start-up, and the token in use stays the new one.
        replace(tokenFile, OPEN, "rw-r--r--");
        node.reloadAdminToken().get(30, TimeUnit.SECONDS);
        assertEquals(200, status(NEW));
        assertEquals(401, status(OPEN));
        String metrics = node.metrics().scrape();
        assertTrue(metrics.matches("(?s).*raftkv_admin_token_reloads_total\\{outcome=\"failed\"} [1-9].*"), metrics);
        assertTrue(!metrics.contains(NEW) && !metrics.contains(OPEN), "no token in the metrics");
    }
}
