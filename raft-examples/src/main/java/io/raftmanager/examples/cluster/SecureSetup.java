package io.raftmanager.examples.cluster;

import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.Secret;
import io.raftmanager.examples.kv.security.SecretFiles;
import io.raftmanager.examples.kv.security.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@code raft-kv cluster --secure} makes before it starts the nodes, all under one directory and
 * fresh on every run: a throwaway CA ({@code ca.pem}; its key is never written), a certificate and key per
 * node ({@code nN/cert.pem}, {@code nN/key.pem}; each node uses its pair for peers, the admin API and the
 * RESP port), a random admin token ({@code admin-token}) and Redis password ({@code redis-password}). Keys
 * and secrets are readable by their owner only.
 */
public final class SecureSetup {
    static final Duration VALIDITY = Duration.ofDays(30);

    final Path dir;
    public final Secret adminToken;
    /** The RESP password (--secure only). */
    public final Secret password;
    /** False for peer mTLS only (for benchmarks): the admin API and clients stay as in the quick start. */
    final boolean full;

    private SecureSetup(Path dir, Secret adminToken, Secret password, boolean full) {
        this.dir = dir;
        this.password = password;
        this.adminToken = adminToken;
        this.full = full;
    }

    /** @param full everything (--secure), or only mutual TLS between nodes (--peer-tls) */
    public static SecureSetup generate(Path dir, int nodes, boolean full) throws IOException {
        Files.createDirectories(dir);
        Pki ca = Pki.newCa("raft-kv throwaway CA " + java.time.LocalDate.now(), VALIDITY);
        ca.writeCa(dir.resolve("ca.pem"));
        for (long id = 1; id <= nodes; id++) {
            Path n = Files.createDirectories(dir.resolve("n" + id));
            Pki.write(ca.issueNode(id), n.resolve("cert.pem"), n.resolve("key.pem"));
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        SecretFiles.writePrivate(dir.resolve("admin-token"), HexFormat.of().formatHex(random) + "\n");
        new SecureRandom().nextBytes(random);
        SecretFiles.writePrivate(dir.resolve("redis-password"), HexFormat.of().formatHex(random) + "\n");
        return new SecureSetup(
                dir,
                SecretFiles.readSecret("--admin-token-file", dir.resolve("admin-token")),
                full ? SecretFiles.readSecret("--requirepass-file", dir.resolve("redis-password")) : null,
                full);
    }

    Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path passwordFile() {
        return dir.resolve("redis-password");
    }

    public Path tokenFile() {
        return dir.resolve("admin-token");
    }

    private TlsFiles tls(String flag, long id) {
        Path n = dir.resolve("n" + id);
        return new TlsFiles(flag, n.resolve("cert.pem"), n.resolve("key.pem"), ca());
    }

    /**
     * Node {@code id}'s settings: peer mTLS, the admin API over HTTPS with the token, RESP over TLS with the
     * password (one certificate for all three).
     */
    KvSecurity security(long id) {
        if (!full) {
            return new KvSecurity(
                    tls("--peer-tls", id), false, null, null, KvSecurity.DEFAULT_TLS_RELOAD_POLL_MILLIS, null, null);
        }
        return new KvSecurity(
                        tls("--peer-tls", id),
                        false,
                        null,
                        tls("--admin-tls", id),
                        KvSecurity.DEFAULT_TLS_RELOAD_POLL_MILLIS,
                        password,
                        tls("--client-tls", id))
                .withAdminTokenFile(tokenFile());
    }

    /** The same as {@code raft-kv node} flags. */
    public List<String> nodeArgs(long id) {
        Path n = dir.resolve("n" + id);
        String cert = n.resolve("cert.pem").toString();
        String key = n.resolve("key.pem").toString();
        String ca = ca().toString();
        if (!full) {
            return List.of("--peer-tls-cert", cert, "--peer-tls-key", key, "--peer-tls-ca", ca);
        }
        return List.of(
                "--peer-tls-cert", cert,
                "--peer-tls-key", key,
                "--peer-tls-ca", ca,
                "--admin-tls-cert", cert,
                "--admin-tls-key", key,
                "--admin-tls-ca", ca,
                "--admin-token-file", tokenFile().toString(),
                "--requirepass-file", passwordFile().toString(),
                "--client-tls-cert", cert,
                "--client-tls-key", key,
                "--client-tls-ca", ca);
    }

    /** For clients of the admin API and the RESP ports: trusts the throwaway CA. */
    public javax.net.ssl.SSLContext clientTls() {
        return io.raftmanager.examples.kv.admin.AdminTls.client(tls("--admin-tls", 1));
    }
}
