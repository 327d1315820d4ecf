package io.raftmanager.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.raftmanager.InvalidConfigException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server and client {@link SslContext}s of a {@link TlsConfig} (JDK provider, mutual auth). */
final class SslContexts {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private SslContexts() {}

    static SslContext server(TlsConfig tls) {
        try {
            SslContextBuilder b = tls.isPem()
                    ? SslContextBuilder.forServer(
                            tls.certChainPem().toFile(), tls.privateKeyPem().toFile())
                    : SslContextBuilder.forServer(keyManagers(tls));
            trust(b, tls);
            return b.clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidConfigException("tls", "cannot build the server TLS context: " + e);
        }
    }

    static SslContext client(TlsConfig tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (tls.isPem()) {
                b.keyManager(tls.certChainPem().toFile(), tls.privateKeyPem().toFile());
            } else {
                b.keyManager(keyManagers(tls));
            }
            trust(b, tls);
            // An empty algorithm turns endpoint identification off; "HTTPS" checks the dialled host/IP.
            return b.endpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : "")
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidConfigException("tls", "cannot build the client TLS context: " + e);
        }
    }

    private static void trust(SslContextBuilder b, TlsConfig tls) throws IOException, GeneralSecurityException {
        if (tls.isPem()) {
            b.trustManager(tls.trustCertsPem().toFile());
        } else {
            KeyStore ts = KeyStore.getInstance(tls.trustStore().toFile(), tls.trustStorePassword());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            b.trustManager(tmf);
        }
    }

    private static KeyManagerFactory keyManagers(TlsConfig tls) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(tls.keyStore().toFile(), tls.keyStorePassword());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, tls.keyStorePassword());
        return kmf;
    }
}
