package io.raftmanager.storage.memory;

import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.testkit.contract.LogStorageContractTest;

/** Runs the {@link LogStorageContractTest} suite against {@link MemoryLogStorage}. */
class MemoryLogStorageContractTest extends LogStorageContractTest {
    @Override
    protected LogStorage create(Membership membership) {
        return new MemoryLogStorage(membership);
    }

    /** Memory does not survive a process, so "reopen" keeps the same instance. */
    @Override
    protected LogStorage reopen(LogStorage storage) {
        return storage;
    }

    /** Memory models a power loss: it keeps writes up to the last synced one and drops the rest. */
    @Override
    protected LogStorage afterPowerLoss(LogStorage storage) {
        return ((MemoryLogStorage) storage).afterPowerLoss();
    }
}
