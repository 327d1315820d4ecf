package io.raftmanager.storage.memory;

import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.testkit.contract.SnapshotStoreContractTest;

class MemorySnapshotStoreContractTest extends SnapshotStoreContractTest {
    @Override
    protected SnapshotStore open() {
        return new MemorySnapshotStore();
    }
}
