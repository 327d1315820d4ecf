package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.InvalidConfigException;
import io.raftmanager.proto.RaftMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two (or three) plaintext transports on loopback: delivery, order, reconnects, dead peers, lifecycle. */
class NettyTransportTest {
    private final Nodes nodes = new Nodes();

    @AfterEach
    void closeAll() {
        nodes.close();
    }

    /** Starts node 1 and node 2, each knowing the other. */
    private NettyTransport[] pair(RecordingHandler h1, RecordingHandler h2) {
        NettyTransport t1 = nodes.start(Nodes.config(1, Map.of()).build(), h1);
        NettyTransport t2 =
                nodes.start(Nodes.config(2, Map.of(1L, t1.boundAddress())).build(), h2);
        t1.addPeer(2, t2.boundAddress());
        return new NettyTransport[] {t1, t2};
    }

    @Test
    void everyMessageKindRoundTrips() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport[] t = pair(h1, h2);
        Map<RaftMessage.BodyCase, RaftMessage> sent = Msgs.everyKind(1, 2);
        assertEquals(RaftMessage.BodyCase.values().length - 1, sent.size(), "one message per oneof body");
        sent.values().forEach(t[0]::send);
        Map<RaftMessage.BodyCase, RaftMessage> received = new EnumMap<>(RaftMessage.BodyCase.class);
        while (received.size() < sent.size()) {
            RaftMessage m = h2.next(20);
            received.put(m.getBodyCase(), m);
        }
        assertEquals(sent, received);

        // And back: node 2 answers over its own connection.
        RaftMessage reply = Msgs.heartbeat(2, 1, 5);
        t[1].send(reply);
        assertEquals(reply, h1.next(20));
        assertTrue(h1.unreachable.isEmpty() && h2.unreachable.isEmpty());
    }

    @Test
    void tenThousandMessagesArriveInOrder() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport[] t = pair(new RecordingHandler(), h2);
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            t[0].send(Msgs.heartbeat(1, 2, i));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(i, h2.next(20).getHeartbeatRequest().getCommit(), "message " + i);
        }
        Await.until(
                "the sent counter", Duration.ofSeconds(20), () -> t[0].stats().messagesSent() == n);
        assertEquals(n, t[1].stats().messagesReceived());
        assertEquals(0, t[0].stats().queuedBytes());
    }

    @Test
    void reconnectsAfterThePeerRestarts() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(Nodes.config(1, Map.of()).build(), h1);
        RecordingHandler h2 = new RecordingHandler();
        // A port below the ephemeral range: while node 2 is down, no other socket on the machine can be handed
        // its port implicitly, so "down" really means nothing listens there.
        NettyTransportConfig c2 = Nodes.config(2, Map.of(1L, t1.boundAddress()))
                .bindAddress(Nodes.lowPort())
                .build();
        NettyTransport t2 = nodes.start(c2, h2);
        InetSocketAddress addr2 = t2.boundAddress();
        t1.addPeer(2, addr2);

        t1.send(Msgs.heartbeat(1, 2, 1));
        assertEquals(1, h2.next(20).getHeartbeatRequest().getCommit());

        t2.close();
        // While node 2 is down, sends are dropped (and reported), never blocked.
        Await.until("drops to the stopped peer", Duration.ofSeconds(20), () -> {
            t1.send(Msgs.heartbeat(1, 2, 2));
            return t1.stats().droppedUnreachable() > 0 && !h1.unreachable.isEmpty();
        });

        RecordingHandler h2b = new RecordingHandler();
        nodes.start(c2.toBuilder().bindAddress(addr2).build(), h2b);
        Await.until("delivery after the restart", Duration.ofSeconds(20), () -> {
            t1.send(Msgs.heartbeat(1, 2, 3));
            return !h2b.messages.isEmpty();
        });
        // A heartbeat sent while the peer was down may still be queued and go first: delivery is best effort.
        long commit = h2b.next(1).getHeartbeatRequest().getCommit();
        assertTrue(commit == 2 || commit == 3, "delivered a heartbeat sent around the restart, got " + commit);
        assertTrue(t1.stats().connectFailures() >= 1 || t1.stats().droppedUnreachable() >= 1);
    }

    /**
     * A transport closed on loops it does not own (a server's shared loops keep running) must still close the
     * connections it accepted, or its peers keep writing into them and never learn it is gone.
     */
    @Test
    void closingATransportOnSharedLoopsClosesTheConnectionsItAccepted() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(Nodes.config(1, Map.of()).build(), h1);
        io.netty.channel.EventLoopGroup shared =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            RecordingHandler h2 = new RecordingHandler();
            NettyTransport t2 = new NettyTransport(
                    Nodes.config(2, Map.of(1L, t1.boundAddress()))
                            .bindAddress(Nodes.lowPort())
                            .build(),
                    shared);
            t2.start(h2);
            t1.addPeer(2, t2.boundAddress());
            t1.send(Msgs.heartbeat(1, 2, 1));
            assertEquals(1, h2.next(20).getHeartbeatRequest().getCommit());
            t2.close();
            Await.until("drops to the closed peer", Duration.ofSeconds(20), () -> {
                t1.send(Msgs.heartbeat(1, 2, 2));
                return t1.stats().droppedUnreachable() > 0 && !h1.unreachable.isEmpty();
            });
        } finally {
            shared.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .awaitUninterruptibly();
        }
    }

    @Test
    void aDeadPeerDoesNotHoldUpLivePeers() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        NettyTransport t1 = nodes.start(Nodes.config(1, Map.of()).build(), h1);
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport t2 =
                nodes.start(Nodes.config(2, Map.of(1L, t1.boundAddress())).build(), h2);
        // Node 3's address is a port nothing listens on any more.
        NettyTransport gone = nodes.start(Nodes.config(3, Map.of()).build(), new RecordingHandler());
        InetSocketAddress dead = gone.boundAddress();
        gone.close();
        t1.addPeer(2, t2.boundAddress());
        t1.addPeer(3, dead);

        int n = 2_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            t1.send(Msgs.heartbeat(1, 3, i));
            t1.send(Msgs.heartbeat(1, 2, i));
        }
        long sendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (int i = 0; i < n; i++) {
            assertEquals(i, h2.next(20).getHeartbeatRequest().getCommit());
        }
        Await.until(
                "onUnreachable for the dead peer",
                Duration.ofSeconds(20),
                () -> h1.unreachable.contains(new RecordingHandler.Unreachable(Msgs.GROUP, 3)));
        NettyTransport.Stats s = t1.stats();
        assertTrue(s.droppedUnreachable() > 0, s.toString());
        assertTrue(s.connectFailures() >= 1, s.toString());
        assertTrue(h1.unreachable.stream().noneMatch(u -> u.peer() == 2), h1.unreachable.toString());
        // Generous: sending never waits for the network, only for the CPU of a loaded machine.
        assertTrue(sendMillis < 10_000, "sends took " + sendMillis + " ms");
    }

    @Test
    void unknownAndRemovedPeersAreDroppedAndReported() throws Exception {
        RecordingHandler h1 = new RecordingHandler();
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport[] t = pair(h1, h2);
        t[0].send(Msgs.heartbeat(1, 9, 0));
        assertEquals(1, t[0].stats().droppedUnknownPeer());
        Await.until(
                "onUnreachable for the unknown peer",
                Duration.ofSeconds(20),
                () -> h1.unreachable.contains(new RecordingHandler.Unreachable(Msgs.GROUP, 9)));

        t[0].send(Msgs.heartbeat(1, 2, 1));
        assertEquals(1, h2.next(20).getHeartbeatRequest().getCommit());
        t[0].removePeer(2);
        t[0].send(Msgs.heartbeat(1, 2, 2));
        assertEquals(2, t[0].stats().droppedUnknownPeer());
        // Node 1 no longer accepts frames from node 2 either.
        t[1].send(Msgs.heartbeat(2, 1, 3));
        Await.until(
                "refusal of the removed sender",
                Duration.ofSeconds(20),
                () -> t[0].stats().inboundRefused() == 1);
        assertNull(h1.messages.poll());
        // Re-adding restores both directions (node 2 reconnects after its connection was closed).
        t[0].addPeer(2, t[1].boundAddress());
        Await.until("delivery after re-adding", Duration.ofSeconds(20), () -> {
            t[1].send(Msgs.heartbeat(2, 1, 4));
            return !h1.messages.isEmpty();
        });
        t[0].send(Msgs.heartbeat(1, 2, 5));
        assertEquals(5, h2.next(20).getHeartbeatRequest().getCommit());
    }

    @Test
    void oversizeMessagesAreDroppedBeforeSending() {
        NettyTransport t1 = nodes.start(
                Nodes.config(1, Map.of(2L, new InetSocketAddress("127.0.0.1", 9)))
                        .maxFrameBytes(1024)
                        .peerQueueBytes(4096)
                        .snapshotQueueBytes(4096)
                        .build(),
                new RecordingHandler());
        t1.send(Msgs.append(1, 2, 1, 2048));
        assertEquals(1, t1.stats().droppedOversize());
        assertEquals(0, t1.stats().queuedBytes());
    }

    @Test
    void closeIsIdempotentAndEndsTheEventLoopThreads() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        NettyTransport[] t = pair(new RecordingHandler(), h2);
        t[0].send(Msgs.heartbeat(1, 2, 1));
        h2.next(20);
        String prefix = t[0].threadNamePrefix() + "-";
        assertTrue(threadsNamed(prefix) > 0, "event loop threads exist while running");
        t[0].close();
        t[0].close();
        // The termination future completes a moment before the threads themselves exit: poll for it.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (threadsNamed(prefix) > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, threadsNamed(prefix), "event loop threads left after close");
        t[0].send(Msgs.heartbeat(1, 2, 2));
        assertEquals(1, t[0].stats().droppedClosed());
        assertThrows(IllegalStateException.class, () -> t[0].start(new RecordingHandler()));
    }

    @Test
    void closeBeforeStartAndBindFailureAreClean() {
        new NettyTransport(Nodes.config(1, Map.of()).build()).close();
        NettyTransport t1 = nodes.start(Nodes.config(1, Map.of()).build(), new RecordingHandler());
        NettyTransport clash = new NettyTransport(
                Nodes.config(2, Map.of()).bindAddress(t1.boundAddress()).build());
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> clash.start(new RecordingHandler()));
        assertEquals("bindAddress", e.field());
        assertEquals(0, threadsNamed(clash.threadNamePrefix() + "-"));
        clash.close();
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.getName().startsWith(prefix) && th.isAlive())
                .count();
    }
}
