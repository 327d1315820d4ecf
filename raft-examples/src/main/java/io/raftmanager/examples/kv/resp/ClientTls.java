package io.raftmanager.examples.kv.resp;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.raftmanager.examples.kv.StartupException;
import io.raftmanager.examples.kv.security.TlsFiles;

/** TLS on the RESP port ({@code --client-tls-*}), and for a follower's connections to the leader's. */
final class ClientTls {
    private ClientTls() {}

    /** The server: this node's certificate; a client certificate is verified against the CA if presented. */
    static SslContext server(TlsFiles files) {
        try {
            return SslContextBuilder.forServer(
                            files.cert().toFile(), files.key().toFile())
                    .trustManager(files.ca().toFile())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (Exception e) { // SSLException, or IllegalArgumentException for a key that does not parse
            throw new StartupException("--client-tls: cannot load " + files + ": " + e.getMessage(), e);
        }
    }

    /** A follower forwarding to the leader: trusts the CA and presents this node's certificate. */
    static SslContext forwarding(TlsFiles files) {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(files.cert().toFile(), files.key().toFile())
                    .trustManager(files.ca().toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (Exception e) {
            throw new StartupException("--client-tls: cannot load " + files + ": " + e.getMessage(), e);
        }
    }
}
