package io.raftmanager.transport.netty;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Starts transports on 127.0.0.1 with ephemeral ports and closes all of them at the end of a test. */
final class Nodes implements AutoCloseable {
    static final InetSocketAddress ANY_LOCAL = new InetSocketAddress("127.0.0.1", 0);

    private final List<NettyTransport> open = new ArrayList<>();

    /** A plaintext configuration for {@code nodeId} with short back-off and a seeded jitter. */
    static NettyTransportConfig.Builder config(long nodeId, Map<Long, InetSocketAddress> peers) {
        return NettyTransportConfig.builder()
                .nodeId(nodeId)
                .clusterId(Msgs.CLUSTER)
                .bindAddress(ANY_LOCAL)
                .peers(peers)
                .servedGroups(Set.of(Msgs.GROUP))
                .plaintext()
                .ioThreads(1)
                .reconnectBackoffMinMillis(20)
                .reconnectBackoffMaxMillis(200)
                .connectTimeoutMillis(2_000)
                .jitterRandom(new SplittableRandom(nodeId));
    }

    /**
     * A free address on 127.0.0.1 below the kernel's ephemeral range (32768 and up): a port from that range can
     * be handed to any other socket on the machine as soon as its listener closes.
     */
    static InetSocketAddress lowPort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (java.net.ServerSocket s =
                    new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return new InetSocketAddress("127.0.0.1", s.getLocalPort());
            } catch (java.io.IOException busy) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    NettyTransport start(NettyTransportConfig config, RecordingHandler handler) {
        NettyTransport t = new NettyTransport(config);
        open.add(t);
        t.start(handler);
        return t;
    }

    @Override
    public void close() {
        open.forEach(NettyTransport::close);
    }
}
