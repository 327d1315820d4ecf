package io.raftmanager.testkit;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.StorageException;
import java.util.List;

/**
 * A {@link LogStorage} whose disk can be made to fail: while failing, every write and compaction throws
 * {@link StorageException} and changes nothing, as a full or broken disk would. Closing it does not close
 * the storage underneath, which outlives a simulated crash.
 */
final class FaultyLogStorage implements LogStorage {
    private final LogStorage delegate;
    private boolean failing;

    FaultyLogStorage(LogStorage delegate) {
        this.delegate = delegate;
    }

    void failing(boolean value) {
        failing = value;
    }

    private void check() {
        if (failing) {
            throw new StorageException("simulated disk failure");
        }
    }

    @Override
    public PersistentState initialState() {
        return delegate.initialState();
    }

    @Override
    public void write(LogBatch batch) {
        check();
        delegate.write(batch);
    }

    @Override
    public void compact(long upToIndex) {
        check();
        delegate.compact(upToIndex);
    }

    @Override
    public long firstIndex() {
        return delegate.firstIndex();
    }

    @Override
    public long lastIndex() {
        return delegate.lastIndex();
    }

    @Override
    public long term(long index) {
        return delegate.term(index);
    }

    @Override
    public List<Entry> entries(long from, long toExclusive, long maxBytes) {
        return delegate.entries(from, toExclusive, maxBytes);
    }

    @Override
    public SnapshotMeta snapshot() {
        return delegate.snapshot();
    }

    @Override
    public void close() {
        // The simulated disk survives the process: the storage is reused on restart.
    }
}
