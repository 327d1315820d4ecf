package io.raftmanager.examples.kv.admin;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.raftmanager.examples.kv.StartupException;
import io.raftmanager.examples.kv.security.TlsFiles;
import javax.net.ssl.SSLContext;

/** JDK {@link SSLContext}s for the admin API from PEM files (Netty's PEM reading, JDK provider). */
public final class AdminTls {
    private AdminTls() {}

    /** The server side: this node's certificate and key. */
    static SSLContext server(TlsFiles files) {
        try {
            return ((JdkSslContext) SslContextBuilder.forServer(
                                    files.cert().toFile(), files.key().toFile())
                            .sslProvider(SslProvider.JDK)
                            .build())
                    .context();
        } catch (Exception e) { // SSLException, or IllegalArgumentException for a key that does not parse
            throw new StartupException("--admin-tls: cannot load " + files + ": " + e.getMessage(), e);
        }
    }

    /** A client that trusts {@code files.ca()}: relayed admin requests, and tools watching the cluster. */
    public static SSLContext client(TlsFiles files) {
        try {
            return ((JdkSslContext) SslContextBuilder.forClient()
                            .trustManager(files.ca().toFile())
                            .sslProvider(SslProvider.JDK)
                            .build())
                    .context();
        } catch (Exception e) {
            throw new StartupException("--admin-tls-ca: cannot load " + files.ca() + ": " + e.getMessage(), e);
        }
    }
}
