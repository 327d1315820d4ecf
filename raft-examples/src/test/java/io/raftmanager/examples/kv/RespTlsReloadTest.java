package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.Secret;
import io.raftmanager.examples.kv.security.TlsFiles;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RESP port's certificate is reloaded when its files change: clients of a new CA get in without a restart. */
class RespTlsReloadTest {
    static final String PASSWORD = "resp-tls-reload-password";

    @TempDir
    Path dir;

    private KvNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** A client that trusts only the CA in {@code caFile}, and AUTHs. */
    private static RespTestClient.Login trusting(Path caFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trusted.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return new RespTestClient.Login(tls.getSocketFactory(), PASSWORD);
    }

    private Object ping(RespTestClient.Login login) throws Exception {
        try (RespTestClient c = new RespTestClient(node.redisAddress(), 5_000, 15_000, login)) {
            return c.call("PING");
        }
    }

    /** Installs files as an operator would: written beside the target, then renamed over it, the key first. */
    private static void install(Pki.Issued issued, Pki ca, Path cert, Path key, Path caFile) throws Exception {
        Path staging = Files.createTempDirectory(cert.getParent(), "next");
        Pki.write(issued, staging.resolve("cert.pem"), staging.resolve("key.pem"));
        ca.writeCa(staging.resolve("ca.pem"));
        Files.move(
                staging.resolve("key.pem"), key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
                staging.resolve("cert.pem"), cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
                staging.resolve("ca.pem"), caFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aCertificateFromANewCaIsServedAfterItsFilesChangeAndABrokenKeyKeepsIt() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Path cert = tls.resolve("cert.pem");
        Path key = tls.resolve("key.pem");
        Path caFile = tls.resolve("ca.pem");
        Pki oldCa = Pki.newCa("old-resp-ca", Duration.ofDays(1));
        Pki newCa = Pki.newCa("new-resp-ca", Duration.ofDays(1));
        install(oldCa.issueNode(1), oldCa, cert, key, caFile);
        Path oldCaCopy = Files.copy(caFile, dir.resolve("old-ca.pem"));
        Path newCaCopy = dir.resolve("new-ca.pem");
        newCa.writeCa(newCaCopy);

        KvSecurity security = new KvSecurity(
                null, false, null, null, 100, Secret.of(PASSWORD), new TlsFiles("--client-tls", cert, key, caFile));
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), 1024).withSecurity(security));
        TestNodes.await("a leader", Duration.ofSeconds(30), node::isLeader);
        assertEquals("PONG", ping(trusting(oldCaCopy)));
        assertThrows(RespTestClient.ConnectFailed.class, () -> ping(trusting(newCaCopy)));

        install(newCa.issueNode(1), newCa, cert, key, caFile);
        TestNodes.await("the certificate from the new CA to be served", Duration.ofSeconds(30), () -> {
            try {
                return "PONG".equals(ping(trusting(newCaCopy)));
            } catch (RespTestClient.ConnectFailed stillOld) {
                return false;
            }
        });
        assertThrows(RespTestClient.ConnectFailed.class, () -> ping(trusting(oldCaCopy)), "the old one is gone");

        // A key that does not parse: the reload fails and the current certificate stays in use.
        Path brokenKey = tls.resolve("broken.pem");
        Files.writeString(brokenKey, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(brokenKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.move(brokenKey, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        node.reloadClientTls().get(30, TimeUnit.SECONDS);
        assertEquals("PONG", ping(trusting(newCaCopy)));
        String metrics = node.metrics().scrape();
        assertTrue(metrics.matches("(?s).*raftkv_tls_reloads_total\\{outcome=\"failed\"} [1-9].*"), metrics);
        assertTrue(metrics.matches("(?s).*raftkv_tls_reloads_total\\{outcome=\"ok\"} [1-9].*"), metrics);
    }
}
