package io.raftmanager.transport.netty;

import io.raftmanager.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mutual-TLS settings for a {@link NettyTransport}: this server's certificate chain and private key, and
 * the certificates it trusts for peers. Both sides of every connection present a certificate and verify
 * the other's (the server requires client certificates). The JDK's TLS provider is used.
 *
 * <p>Create one with {@link #fromPem} or {@link #fromKeyStore}. Files are read when the transport starts,
 * not here; they are only checked for existence. {@link NettyTransport#reloadTls()} reads them again, so
 * certificates can be rotated without a restart.
 */
public final class TlsConfig {
    /**
     * The subject-alternative-name URI that issues a certificate to node {@code nodeId} (see {@link
     * #withNodeIdBinding}), e.g. {@code urn:raft-manager:node:3}.
     */
    public static String nodeIdUri(long nodeId) {
        return PeerIdentity.uriOf(nodeId);
    }

    private final Path certChainPem;
    private final Path privateKeyPem;
    private final Path trustCertsPem;
    private final Path keyStore;
    private final char[] keyStorePassword;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final boolean verifyHostname;
    private final boolean bindNodeId;

    private TlsConfig(
            Path certChainPem,
            Path privateKeyPem,
            Path trustCertsPem,
            Path keyStore,
            char[] keyStorePassword,
            Path trustStore,
            char[] trustStorePassword,
            boolean verifyHostname,
            boolean bindNodeId) {
        this.certChainPem = certChainPem;
        this.privateKeyPem = privateKeyPem;
        this.trustCertsPem = trustCertsPem;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.trustStore = trustStore;
        this.trustStorePassword = trustStorePassword;
        this.verifyHostname = verifyHostname;
        this.bindNodeId = bindNodeId;
    }

    /**
     * TLS from PEM files.
     *
     * @param certChainPem this server's certificate chain (leaf first)
     * @param privateKeyPem its unencrypted PKCS#8 private key
     * @param trustCertsPem the certificates (usually the cluster CA) that peer certificates must chain to
     */
    public static TlsConfig fromPem(Path certChainPem, Path privateKeyPem, Path trustCertsPem) {
        requireFile("tls.certChainPem", certChainPem);
        requireFile("tls.privateKeyPem", privateKeyPem);
        requireFile("tls.trustCertsPem", trustCertsPem);
        return new TlsConfig(certChainPem, privateKeyPem, trustCertsPem, null, null, null, null, true, false);
    }

    /**
     * TLS from key stores (any type {@link java.security.KeyStore#getInstance(java.io.File, char[])} detects,
     * such as PKCS12 or JKS).
     *
     * @param keyStore holds this server's private key and certificate chain; the key's password must equal
     *     the store's
     * @param keyStorePassword the store password (copied)
     * @param trustStore holds the trusted certificates
     * @param trustStorePassword its password (copied)
     */
    public static TlsConfig fromKeyStore(
            Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword) {
        requireFile("tls.keyStore", keyStore);
        requireFile("tls.trustStore", trustStore);
        if (keyStorePassword == null) {
            throw new InvalidConfigException("tls.keyStorePassword", "must be set");
        }
        if (trustStorePassword == null) {
            throw new InvalidConfigException("tls.trustStorePassword", "must be set");
        }
        return new TlsConfig(
                null,
                null,
                null,
                keyStore,
                keyStorePassword.clone(),
                trustStore,
                trustStorePassword.clone(),
                true,
                false);
    }

    /**
     * Returns a copy that does (the default) or does not check that a peer's certificate names the host or
     * IP address it was dialled at. Turn it off only when certificates carry no address, for example when
     * peers are identified by the cluster CA alone.
     */
    public TlsConfig withHostnameVerification(boolean verify) {
        return new TlsConfig(
                certChainPem,
                privateKeyPem,
                trustCertsPem,
                keyStore,
                keyStorePassword,
                trustStore,
                trustStorePassword,
                verify,
                bindNodeId);
    }

    /**
     * Returns a copy that does or does not (the default) bind node ids to certificates. When bound, every
     * certificate must name exactly one node id in a subject-alternative-name URI {@code
     * urn:raft-manager:node:<id>}: an inbound connection may carry frames only from the id its client
     * certificate names, and an outbound connection is used only if the server's certificate names the
     * peer dialled. A peer with a valid certificate for another id is then refused (counted as {@link
     * io.raftmanager.InvalidMessageException.Reason#WRONG_IDENTITY}), so one node's key cannot speak for
     * another. Hostname verification adds little on top of this and may be turned off.
     */
    public TlsConfig withNodeIdBinding(boolean bind) {
        return new TlsConfig(
                certChainPem,
                privateKeyPem,
                trustCertsPem,
                keyStore,
                keyStorePassword,
                trustStore,
                trustStorePassword,
                verifyHostname,
                bind);
    }

    private static void requireFile(String field, Path path) {
        if (path == null) {
            throw new InvalidConfigException(field, "must be set");
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidConfigException(field, "is not a readable file: " + path);
        }
    }

    boolean isPem() {
        return certChainPem != null;
    }

    Path certChainPem() {
        return certChainPem;
    }

    Path privateKeyPem() {
        return privateKeyPem;
    }

    Path trustCertsPem() {
        return trustCertsPem;
    }

    Path keyStore() {
        return keyStore;
    }

    char[] keyStorePassword() {
        return keyStorePassword;
    }

    Path trustStore() {
        return trustStore;
    }

    char[] trustStorePassword() {
        return trustStorePassword;
    }

    boolean verifyHostname() {
        return verifyHostname;
    }

    boolean bindNodeId() {
        return bindNodeId;
    }

    @Override
    public String toString() {
        return isPem()
                ? "TlsConfig[pem " + certChainPem + ", trust " + trustCertsPem + ", verifyHostname=" + verifyHostname
                        + ", bindNodeId=" + bindNodeId + "]"
                : "TlsConfig[keyStore " + keyStore + ", trust " + trustStore + ", verifyHostname=" + verifyHostname
                        + ", bindNodeId=" + bindNodeId + "]";
    }
}
