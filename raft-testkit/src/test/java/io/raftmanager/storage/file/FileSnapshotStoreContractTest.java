package io.raftmanager.storage.file;

import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.testkit.contract.SnapshotStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreContractTest extends SnapshotStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected SnapshotStore open() {
        return new FileSnapshotStore(dir);
    }

    @Override
    protected SnapshotStore reopen(SnapshotStore old) {
        old.close();
        return new FileSnapshotStore(dir);
    }
}
