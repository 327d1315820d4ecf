package io.raftmanager.examples.kv.security;

/**
 * What a KV node protects and with what. Every part is optional; {@link #NONE} is the plaintext,
 * open node of the quick start.
 *
 * @param peerTls mutual TLS between nodes, node ids bound to certificates; null for plaintext
 * @param verifyPeerHostname also check that a peer's certificate names the host it was dialled at
 * @param adminToken the bearer token the admin API requires; null for none (then it must listen on a
 *     loopback address)
 * @param adminTls TLS for the admin API ({@code ca} is what relayed requests trust); null for plain HTTP
 * @param tlsReloadPollMillis how often certificate files are checked for changes; 0 only on SIGHUP
 * @param requirepass the password RESP clients must AUTH with; null for none
 * @param clientTls TLS on the RESP port ({@code ca}: client certificates are checked against it when
 *     presented, and a follower trusts it when it forwards to the leader); null for plain RESP
 * @param adminTokenFile the file {@code adminToken} was read from: re-read when it changes (polled as the
 *     certificates are) or on SIGHUP, so the token can be rotated without a restart; null for none
 */
public record KvSecurity(
        TlsFiles peerTls,
        boolean verifyPeerHostname,
        Secret adminToken,
        TlsFiles adminTls,
        long tlsReloadPollMillis,
        Secret requirepass,
        TlsFiles clientTls,
        java.nio.file.Path adminTokenFile) {
    public static final long DEFAULT_TLS_RELOAD_POLL_MILLIS = 5_000;
    public static final KvSecurity NONE =
            new KvSecurity(null, false, null, null, DEFAULT_TLS_RELOAD_POLL_MILLIS, null, null);

    /** Without a token file to watch. */
    public KvSecurity(
            TlsFiles peerTls,
            boolean verifyPeerHostname,
            Secret adminToken,
            TlsFiles adminTls,
            long tlsReloadPollMillis,
            Secret requirepass,
            TlsFiles clientTls) {
        this(peerTls, verifyPeerHostname, adminToken, adminTls, tlsReloadPollMillis, requirepass, clientTls, null);
    }

    /** The same settings, with the admin token read from {@code file} and re-read when it changes. */
    public KvSecurity withAdminTokenFile(java.nio.file.Path file) {
        return new KvSecurity(
                peerTls,
                verifyPeerHostname,
                SecretFiles.readSecret("--admin-token-file", file),
                adminTls,
                tlsReloadPollMillis,
                requirepass,
                clientTls,
                file);
    }

    /** The same settings, with RESP clients required to AUTH with {@code password}. */
    public KvSecurity withRequirepass(Secret password) {
        return new KvSecurity(
                peerTls,
                verifyPeerHostname,
                adminToken,
                adminTls,
                tlsReloadPollMillis,
                password,
                clientTls,
                adminTokenFile);
    }

    /** The same settings, with TLS on the RESP port. */
    public KvSecurity withClientTls(TlsFiles tls) {
        return new KvSecurity(
                peerTls,
                verifyPeerHostname,
                adminToken,
                adminTls,
                tlsReloadPollMillis,
                requirepass,
                tls,
                adminTokenFile);
    }

    public KvSecurity {
        if (tlsReloadPollMillis < 0) {
            throw new io.raftmanager.examples.kv.StartupException(
                    "--tls-reload-poll-ms must be >= 0, was " + tlsReloadPollMillis);
        }
    }
}
