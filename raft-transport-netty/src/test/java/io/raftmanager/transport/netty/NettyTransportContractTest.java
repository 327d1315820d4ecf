package io.raftmanager.transport.netty;

import io.raftmanager.spi.Transport;
import io.raftmanager.testkit.contract.TransportContractTest;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** The shared transport contract over real TCP connections on 127.0.0.1. */
class NettyTransportContractTest extends TransportContractTest {
    @Override
    protected Map<Long, Transport> createCluster(int size) {
        Map<Long, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (long id = 1; id <= size; id++) {
            addresses.put(id, Nodes.lowPort());
        }
        Map<Long, Transport> out = new LinkedHashMap<>();
        for (long id = 1; id <= size; id++) {
            Map<Long, InetSocketAddress> peers = new LinkedHashMap<>(addresses);
            peers.remove(id);
            out.put(
                    id,
                    new NettyTransport(NettyTransportConfig.builder()
                            .nodeId(id)
                            .clusterId(CLUSTER)
                            .bindAddress(addresses.get(id))
                            .peers(peers)
                            .servedGroups(Set.of(GROUP))
                            .plaintext()
                            .ioThreads(1)
                            .reconnectBackoffMinMillis(20)
                            .reconnectBackoffMaxMillis(200)
                            .connectTimeoutMillis(2_000)
                            .jitterRandom(new SplittableRandom(id))
                            .build()));
        }
        return out;
    }
}
