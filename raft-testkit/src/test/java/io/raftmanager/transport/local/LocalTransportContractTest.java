package io.raftmanager.transport.local;

import io.raftmanager.spi.Transport;
import io.raftmanager.testkit.contract.TransportContractTest;
import java.util.LinkedHashMap;
import java.util.Map;

class LocalTransportContractTest extends TransportContractTest {
    @Override
    protected Map<Long, Transport> createCluster(int size) {
        LocalNetwork network = new LocalNetwork();
        Map<Long, Transport> out = new LinkedHashMap<>();
        for (long id = 1; id <= size; id++) {
            out.put(id, network.transport(id));
        }
        return out;
    }
}
