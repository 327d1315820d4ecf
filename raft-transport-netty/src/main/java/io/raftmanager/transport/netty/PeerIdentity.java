package io.raftmanager.transport.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The node id a peer's TLS certificate is issued to: a subject-alternative-name URI {@value #URI_PREFIX}
 * followed by the decimal id. With {@link TlsConfig#withNodeIdBinding} the transport accepts frames only
 * from the id its peer's certificate names, and dials a peer only if its certificate names the id dialled.
 */
final class PeerIdentity {
    /** The SAN URI prefix that carries a node id, e.g. {@code urn:raft-manager:node:3}. */
    static final String URI_PREFIX = "urn:raft-manager:node:";

    /** No node id in the certificate (or no certificate at all). */
    static final long NONE = 0;

    private static final int SAN_URI = 6;

    private PeerIdentity() {}

    /** The SAN URI naming {@code nodeId}. */
    static String uriOf(long nodeId) {
        return URI_PREFIX + nodeId;
    }

    /** The id the certificate names, or {@link #NONE} when it names none or more than one. */
    static long nodeIdOf(X509Certificate cert) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return NONE;
        }
        if (names == null) {
            return NONE;
        }
        long found = NONE;
        for (List<?> n : names) {
            if (n.size() == 2
                    && Integer.valueOf(SAN_URI).equals(n.get(0))
                    && n.get(1) instanceof String uri
                    && uri.startsWith(URI_PREFIX)) {
                long id;
                try {
                    id = Long.parseLong(uri.substring(URI_PREFIX.length()));
                } catch (NumberFormatException e) {
                    return NONE;
                }
                if (id == NONE || (found != NONE && found != id)) {
                    return NONE; // ambiguous: a certificate speaks for one node only
                }
                found = id;
            }
        }
        return found;
    }

    /** The id named by the certificate the remote end of {@code ch} presented, or {@link #NONE}. */
    static long ofChannel(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return NONE;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? nodeIdOf(x) : NONE;
        } catch (SSLPeerUnverifiedException e) {
            return NONE;
        }
    }
}
