package io.raftmanager.examples.kv.security;

import io.raftmanager.InvalidConfigException;
import io.raftmanager.examples.kv.StartupException;
import io.raftmanager.transport.netty.TlsConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * One endpoint's PEM files: its certificate chain (leaf first), its unencrypted PKCS#8 private key, and
 * the CA certificates it trusts for the other side. The key must not be accessible to other users.
 *
 * @param flagPrefix the flags' common prefix, e.g. {@code --peer-tls}, for messages
 */
public record TlsFiles(String flagPrefix, Path cert, Path key, Path ca) {
    /** Checks that the files exist and the key is private; throws {@link StartupException} otherwise. */
    public TlsFiles {
        if (cert == null || key == null || ca == null) {
            throw new StartupException(
                    flagPrefix + "-cert, " + flagPrefix + "-key and " + flagPrefix + "-ca must be given together");
        }
        SecretFiles.requirePrivate(flagPrefix + "-key", key);
        for (Path p : List.of(cert, ca)) {
            if (!java.nio.file.Files.isRegularFile(p)) {
                throw new StartupException(flagPrefix + ": " + p + " is not a readable file");
            }
        }
    }

    /** The files to watch for rotation. */
    public List<Path> all() {
        return List.of(cert, key, ca);
    }

    /**
     * Peer mutual TLS with node ids bound to certificates (SAN URI {@code urn:raft-manager:node:<id>}).
     * Host names are checked only when asked: the node id in the certificate is the identity that matters.
     */
    public TlsConfig peerConfig(boolean verifyHostname) {
        try {
            return TlsConfig.fromPem(cert, key, ca).withNodeIdBinding(true).withHostnameVerification(verifyHostname);
        } catch (InvalidConfigException e) {
            throw new StartupException(flagPrefix + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "cert " + cert + ", key " + key + ", ca " + ca; // paths only, never contents
    }
}
