package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftmanager.InvalidConfigException;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.proto.RaftMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node ids bound to certificates ({@link TlsConfig#withNodeIdBinding}) and reloading TLS files. */
class NodeIdBindingTest {
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

    private static TlsConfig bound(String name) {
        return certs.pem(name).withHostnameVerification(false).withNodeIdBinding(true);
    }

    @Test
    void certificateIdsSpeakOnlyForTheirNode() {
        assertEquals(1, PeerIdentity.nodeIdOf(cert(certs.identity("a").chainPem())));
        assertEquals(2, PeerIdentity.nodeIdOf(cert(certs.identity("b").chainPem())));
        assertEquals(
                PeerIdentity.NONE,
                PeerIdentity.nodeIdOf(cert(certs.identity("rogue").chainPem())));
    }

    @Test
    void peersWithTheirOwnCertificatesTalkBothWays() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(
                Nodes.config(1, Map.of(2L, Nodes.ANY_LOCAL)).tls(bound("a")).build(), h1);
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport t2 = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress())).tls(bound("b")).build(), h2);
        t1.addPeer(2, t2.boundAddress());
        RaftMessage m = Msgs.heartbeat(2, 1, 3);
        t2.send(m);
        assertEquals(m, h1.next(30));
        RaftMessage back = Msgs.heartbeat(1, 2, 3);
        t1.send(back);
        assertEquals(back, h2.next(30));
        assertNull(t1.stats().inboundRefusedByReason().get(Reason.WRONG_IDENTITY));
    }

    @Test
    void aValidCertificateForAnotherNodeIsRefusedInBothDirections() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(
                Nodes.config(1, Map.of(2L, Nodes.ANY_LOCAL)).tls(bound("a")).build(), h1);
        // Node 2 holds node 1's certificate and key: valid for the CA, but not for node 2.
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport impostor = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress())).tls(bound("a")).build(), h2);
        t1.addPeer(2, impostor.boundAddress());
        Await.until(
                "node 1 to refuse frames from the impostor",
                Duration.ofSeconds(30),
                () -> {
                    impostor.send(Msgs.heartbeat(2, 1, 1));
                    return t1.stats().inboundRefusedByReason().getOrDefault(Reason.WRONG_IDENTITY, 0L) > 0;
                },
                () -> t1.stats().toString());
        Await.until(
                "node 1 to refuse to talk to the impostor",
                Duration.ofSeconds(30),
                () -> {
                    t1.send(Msgs.heartbeat(1, 2, 1));
                    return t1.stats().inboundRefusedByReason().getOrDefault(Reason.WRONG_IDENTITY, 0L) > 1;
                },
                () -> t1.stats().toString());
        assertEquals(0, t1.stats().messagesReceived());
        assertEquals(0, impostor.stats().messagesReceived());
        assertNull(h1.messages.poll());
        assertNull(h2.messages.poll());
    }

    @Test
    void reloadPicksUpNewTrustAndKeepsTheOldContextWhenTheNewFilesAreBroken(@TempDir Path dir) throws Exception {
        TestCerts.Identity a = certs.identity("a");
        Path chain = Files.copy(a.chainPem(), dir.resolve("chain.pem"));
        Path key = Files.copy(a.keyPem(), dir.resolve("key.pem"));
        // At first node 1 trusts only the rogue's self-signed certificate, so node 2's is refused.
        Path trust = Files.copy(certs.identity("rogue").chainPem(), dir.resolve("ca.pem"));
        TlsConfig tls = TlsConfig.fromPem(chain, key, trust)
                .withHostnameVerification(false)
                .withNodeIdBinding(true);
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(
                Nodes.config(1, Map.of(2L, Nodes.ANY_LOCAL)).tls(tls).build(), h1);
        NettyTransport t2 = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress()))
                        .tls(bound("b"))
                        .reconnectBackoffMaxMillis(200)
                        .build(),
                new RecordingHandler());
        Await.until(
                "node 1 to refuse node 2's certificate",
                Duration.ofSeconds(30),
                () -> {
                    t2.send(Msgs.heartbeat(2, 1, 1));
                    return t1.stats().tlsRejected() > 0;
                },
                () -> t1.stats().toString());

        Path staged = dir.resolve("ca.pem.new");
        Files.copy(certs.caPem(), staged);
        Files.move(staged, trust, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        t1.reloadTls();
        RaftMessage m = Msgs.heartbeat(2, 1, 2);
        Await.until(
                "node 2's heartbeat to arrive after the reload",
                Duration.ofSeconds(30),
                () -> {
                    t2.send(m);
                    return !h1.messages.isEmpty();
                },
                () -> t1.stats().toString());
        assertEquals(m, h1.next(1));

        Files.writeString(key, "not a key");
        assertThrows(InvalidConfigException.class, t1::reloadTls);
        long before = t1.stats().tlsRejected();
        // New connections still use the last good context: restart node 2's connection with a new transport.
        RecordingHandler h3 = new RecordingHandler();
        NettyTransport t1b = nodes.start(
                Nodes.config(2, Map.of(1L, t1.boundAddress())).tls(bound("b")).build(), h3);
        RaftMessage again = Msgs.heartbeat(2, 1, 5);
        Await.until(
                "a new connection to succeed after a failed reload",
                Duration.ofSeconds(30),
                () -> {
                    t1b.send(again);
                    return h1.messages.contains(again);
                },
                () -> t1.stats().toString());
        assertEquals(before, t1.stats().tlsRejected());
    }

    @Test
    void plaintextHasNothingToReload() {
        NettyTransport t = nodes.start(Nodes.config(1, Map.of()).plaintext().build(), new RecordingHandler());
        assertThrows(IllegalStateException.class, t::reloadTls);
    }

    private static java.security.cert.X509Certificate cert(Path pem) {
        try (var in = Files.newInputStream(pem)) {
            return (java.security.cert.X509Certificate)
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
