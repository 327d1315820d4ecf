package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.proto.RaftMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mutual TLS with certificates made at test time ({@link TestCerts}). */
class TlsTransportTest {
    private static TestCerts certs;
    private final Nodes nodes = new Nodes();

    @BeforeAll
    static void makeCertificates() {
        certs = TestCerts.get();
    }

    @AfterEach
    void closeAll() {
        nodes.close();
    }

    private NettyTransport server(RecordingHandler h, TlsConfig tls) {
        return nodes.start(Nodes.config(1, Map.of(2L, Nodes.ANY_LOCAL)).tls(tls).build(), h);
    }

    @Test
    void mutualTlsRoundTripFromPemAndKeyStore() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = server(h1, certs.keyStore("a"));
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport t2 = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress()))
                        .tls(certs.pem("b"))
                        .build(),
                h2);
        t1.addPeer(2, t2.boundAddress());
        for (RaftMessage m : Msgs.everyKind(2, 1).values()) {
            t2.send(m);
            assertEquals(m, h1.next(30));
        }
        RaftMessage reply = Msgs.heartbeat(1, 2, 9);
        t1.send(reply);
        assertEquals(reply, h2.next(30));
        assertEquals(0, t1.stats().tlsRejected() + t2.stats().tlsRejected());
    }

    @Test
    void aClientWithAnUntrustedCertificateIsRejected() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = server(h1, certs.pem("a"));
        // The rogue trusts the cluster CA (so it accepts the server) but its own certificate is self-signed.
        NettyTransport rogue = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress()))
                        .tls(certs.pem("rogue"))
                        .build(),
                new RecordingHandler());
        Await.until(
                "the server to refuse the rogue's handshake",
                Duration.ofSeconds(30),
                () -> {
                    rogue.send(Msgs.heartbeat(2, 1, 1));
                    return t1.stats().tlsRejected() > 0;
                },
                () -> t1.stats().toString());
        assertNull(h1.messages.poll());
        assertEquals(0, t1.stats().messagesReceived());
    }

    @Test
    void aClientWithoutACertificateIsRejected() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = server(h1, certs.pem("a"));
        KeyStore trust = KeyStore.getInstance(certs.trustStore().toFile(), TestCerts.PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory()
                .createSocket(t1.boundAddress().getAddress(), t1.boundAddress().getPort())) {
            s.setSoTimeout(20_000);
            try {
                s.getOutputStream().write(InboundRefusalTest.frame(Msgs.heartbeat(2, 1, 1)));
                s.getOutputStream().flush();
                assertEquals(-1, s.getInputStream().read());
            } catch (IOException expected) {
                // The server's alert surfaces as an SSLException (or a reset) on the client.
            }
        }
        Await.until("the refusal", Duration.ofSeconds(20), () -> t1.stats().tlsRejected() == 1);
        assertNull(h1.messages.poll());
    }

    @Test
    void aPlaintextClientIsRejectedByATlsServer() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = server(h1, certs.pem("a"));
        try (Socket s = new Socket()) {
            s.connect(t1.boundAddress(), 10_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(InboundRefusalTest.frame(Msgs.heartbeat(2, 1, 1)));
            InputStream in = s.getInputStream();
            try {
                // The server may answer with a TLS alert record before it closes; read to the end.
                while (in.read() != -1) {
                    // drain
                }
            } catch (java.net.SocketException reset) {
                // A reset is a close too.
            }
        }
        Await.until("the refusal", Duration.ofSeconds(20), () -> t1.stats().tlsRejected() == 1);
        assertNull(h1.messages.poll());
        assertTrue(t1.stats().inboundRefused() == 0, "refused as TLS, not as a frame");
    }
}
