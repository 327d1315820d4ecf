package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.proto.RaftMessage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input on raw sockets: each kind closes that connection, is counted by reason, reaches nothing of the
 * handler (not even a valid frame sent right behind it), and leaves other connections working.
 */
class InboundRefusalTest {
    private static final int MAX_FRAME = 64 << 10;
    private final Nodes nodes = new Nodes();
    private RecordingHandler handler;
    private NettyTransport server;
    private NettyTransport goodPeer;

    @BeforeEach
    void start() {
        handler = new RecordingHandler();
        server = nodes.start(
                Nodes.config(1, Map.of(2L, Nodes.ANY_LOCAL))
                        .maxFrameBytes(MAX_FRAME)
                        .peerQueueBytes(4 * MAX_FRAME)
                        .snapshotQueueBytes(4 * MAX_FRAME)
                        .build(),
                handler);
        goodPeer =
                nodes.start(Nodes.config(2, Map.of(1L, server.boundAddress())).build(), new RecordingHandler());
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    static byte[] frame(RaftMessage m) {
        return frame(m.toByteArray());
    }

    static byte[] frame(byte[] body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(body.length);
            out.write(body);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Writes {@code bytes} (then optionally half-closes), and waits until the server closes the socket. */
    private void sendRawAndExpectClose(byte[] bytes, boolean shutdownOutput) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server.boundAddress(), 10_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            if (shutdownOutput) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            try {
                assertEquals(-1, in.read(), "the server never writes on an inbound connection; it only closes it");
            } catch (SocketException reset) {
                // A reset is a close too.
            }
        }
    }

    private void assertRefused(Reason reason, byte[] bytes) throws Exception {
        long before = server.stats().inboundRefusedByReason().getOrDefault(reason, 0L);
        sendRawAndExpectClose(concat(bytes, frame(Msgs.heartbeat(2, 1, 99))), false);
        Await.until(
                reason + " counted",
                Duration.ofSeconds(20),
                () -> server.stats().inboundRefusedByReason().getOrDefault(reason, 0L) == before + 1,
                () -> server.stats().toString());
        assertNull(handler.messages.poll(), "nothing from a refused connection reaches the handler");
        assertOtherConnectionsStillWork();
    }

    private void assertOtherConnectionsStillWork() throws InterruptedException {
        goodPeer.send(Msgs.heartbeat(2, 1, 1234));
        RaftMessage m = handler.next(20);
        assertEquals(1234, m.getHeartbeatRequest().getCommit());
    }

    private void assertEnvelopeRefused(Reason reason, Function<RaftMessage.Builder, RaftMessage.Builder> edit)
            throws Exception {
        RaftMessage bad = edit.apply(Msgs.heartbeat(2, 1, 1).toBuilder()).build();
        assertRefused(reason, frame(bad));
    }

    @Test
    void garbageBytes() throws Exception {
        byte[] garbage = new byte[64];
        new java.util.SplittableRandom(1).nextBytes(garbage);
        garbage[0] = 0; // a plausible length prefix (small), followed by bytes that do not parse
        garbage[1] = 0;
        garbage[2] = 0;
        garbage[3] = 20;
        garbage[4] = (byte) 0xff; // field 31, wire type 7: an invalid tag
        assertRefused(Reason.MALFORMED, garbage);
    }

    @Test
    void aLengthPrefixOverTheMaximum() throws Exception {
        byte[] header = {0x7f, 0x00, 0x00, 0x00};
        assertRefused(Reason.MALFORMED, header);
        byte[] negative = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertRefused(Reason.MALFORMED, negative);
        assertEquals(2, server.stats().inboundRefused());
    }

    @Test
    void aTruncatedFrameFollowedByClose() throws Exception {
        byte[] whole = frame(Msgs.heartbeat(2, 1, 5));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        sendRawAndExpectClose(concat(whole, cut), true);
        Await.until(
                "the truncated frame counted",
                Duration.ofSeconds(20),
                () -> server.stats().inboundRefusedByReason().getOrDefault(Reason.MALFORMED, 0L) == 1);
        // The complete frame before the cut one was good and was delivered.
        assertEquals(5, handler.next(20).getHeartbeatRequest().getCommit());
        assertNull(handler.messages.poll());
        assertOtherConnectionsStillWork();
    }

    @Test
    void aFrameFromAnotherCluster() throws Exception {
        assertEnvelopeRefused(Reason.WRONG_CLUSTER, b -> b.setClusterId("other-cluster"));
    }

    @Test
    void aFrameFromAnUnknownSender() throws Exception {
        assertEnvelopeRefused(Reason.UNKNOWN_PEER, b -> b.setFrom(42));
    }

    @Test
    void aFrameForAnUnservedGroup() throws Exception {
        assertEnvelopeRefused(Reason.WRONG_GROUP, b -> b.setGroupId(Msgs.GROUP + 1));
    }

    @Test
    void aFrameForAnotherRecipient() throws Exception {
        assertEnvelopeRefused(Reason.WRONG_RECIPIENT, b -> b.setTo(3));
    }

    @Test
    void aFrameWithAnUnknownFormatVersion() throws Exception {
        assertEnvelopeRefused(Reason.UNSUPPORTED_VERSION, b -> b.setFormatVersion(2));
        assertEnvelopeRefused(Reason.MALFORMED, b -> b.setFormatVersion(0));
    }

    @Test
    void aValidRawFrameIsDelivered() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.boundAddress(), 10_000);
            s.getOutputStream().write(frame(Msgs.heartbeat(2, 1, 77)));
            assertEquals(77, handler.next(20).getHeartbeatRequest().getCommit());
        }
        assertEquals(0, server.stats().inboundRefused());
    }

    @Test
    void manyBadConnectionsAreEachClosed() throws Exception {
        InetSocketAddress addr = server.boundAddress();
        for (int i = 0; i < 20; i++) {
            sendRawAndExpectClose(
                    frame(Msgs.heartbeat(2, 1, i).toBuilder().setClusterId("x").build()), false);
        }
        Await.until(
                "20 refusals",
                Duration.ofSeconds(20),
                () -> server.stats().inboundRefusedByReason().getOrDefault(Reason.WRONG_CLUSTER, 0L) == 20);
        assertNull(handler.messages.poll());
        assertEquals(addr, server.boundAddress());
        assertOtherConnectionsStillWork();
    }
}
