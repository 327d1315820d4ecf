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
 */
public record KvSecurity(
        TlsFiles peerTls, boolean verifyPeerHostname, Secret adminToken, TlsFiles adminTls, long tlsReloadPollMillis) {
    public static final long DEFAULT_TLS_RELOAD_POLL_MILLIS = 5_000;
    public static final KvSecurity NONE = new KvSecurity(null, false, null, null, DEFAULT_TLS_RELOAD_POLL_MILLIS);

    public KvSecurity {
        if (tlsReloadPollMillis < 0) {
            throw new io.raftmanager.examples.kv.StartupException(
                    "--tls-reload-poll-ms must be >= 0, was " + tlsReloadPollMillis);
        }
    }
}
