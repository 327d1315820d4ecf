package io.raftmanager.storage.memory;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.StorageException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LogStorage} held in memory: for tests and examples, never for data that must survive the
 * process. Thread-safe: writes from the log writer and reads from the event loop may interleave.
 *
 * <p>Invariant: {@code entries.get(i).getIndex() == snapshot.getIndex() + 1 + i}.
 */
public final class MemoryLogStorage implements LogStorage {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private HardState hardState = HardState.getDefaultInstance();
    private SnapshotMeta snapshot;
    private boolean closed;

    /** An empty log for a server whose initial configuration is {@code membership}. */
    public MemoryLogStorage(Membership membership) {
        this.snapshot = SnapshotMeta.newBuilder().setMembership(membership).build();
    }

    /** An empty log for a server bootstrapped with the given voters. */
    public static MemoryLogStorage withVoters(long... voters) {
        Membership.Builder m = Membership.newBuilder();
        for (long v : voters) {
            m.addVoters(v);
        }
        return new MemoryLogStorage(m.build());
    }

    @Override
    public synchronized PersistentState initialState() {
        return new PersistentState(hardState, snapshot.getMembership());
    }

    @Override
    public synchronized long firstIndex() {
        return snapshot.getIndex() + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return snapshot.getIndex() + entries.size();
    }

    @Override
    public synchronized long term(long index) {
        long offset = snapshot.getIndex();
        if (index < offset) {
            throw new LogCompactedException(index, offset + 1);
        }
        if (index == offset) {
            return snapshot.getTerm();
        }
        if (index > lastIndex()) {
            throw new IndexOutOfBoundsException("index " + index + " beyond last index " + lastIndex());
        }
        return entries.get((int) (index - offset - 1)).getTerm();
    }

    @Override
    public synchronized List<Entry> entries(long from, long toExclusive, long maxBytes) {
        if (from < firstIndex()) {
            throw new LogCompactedException(from, firstIndex());
        }
        if (toExclusive > lastIndex() + 1 || from > toExclusive) {
            throw new IndexOutOfBoundsException("[" + from + ", " + toExclusive + ") beyond last index " + lastIndex());
        }
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        long offset = snapshot.getIndex() + 1;
        for (long i = from; i < toExclusive; i++) {
            Entry e = entries.get((int) (i - offset));
            bytes += e.getSerializedSize();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized SnapshotMeta snapshot() {
        return snapshot;
    }

    @Override
    public synchronized void write(LogBatch batch) {
        if (closed) {
            throw new StorageException("storage is closed");
        }
        validate(batch);
        if (batch.snapshot() != null) {
            installSnapshot(batch.snapshot());
        }
        if (!batch.entries().isEmpty()) {
            long from = batch.entries().get(0).getIndex();
            entries.subList((int) (from - snapshot.getIndex() - 1), entries.size())
                    .clear();
            entries.addAll(batch.entries());
        }
        if (batch.hardState() != null) {
            hardState = batch.hardState();
        }
    }

    /** Rejects a batch before any part of it is applied, so that a rejected write changes nothing. */
    private void validate(LogBatch batch) {
        long offset = snapshot.getIndex();
        long last = lastIndex();
        SnapshotMeta meta = batch.snapshot();
        if (meta != null) {
            if (meta.getIndex() < offset) {
                throw new StorageException(
                        "snapshot at " + meta.getIndex() + " is older than the installed one at " + offset);
            }
            last = agrees(meta) ? last : meta.getIndex();
            offset = meta.getIndex();
        }
        if (!batch.entries().isEmpty()) {
            long from = batch.entries().get(0).getIndex();
            if (from <= offset || from > last + 1) {
                throw new StorageException("append at " + from + " outside (" + offset + ", " + (last + 1) + "]");
            }
        }
    }

    private boolean agrees(SnapshotMeta meta) {
        long index = meta.getIndex();
        return index <= lastIndex() && index >= snapshot.getIndex() && term(index) == meta.getTerm();
    }

    private void installSnapshot(SnapshotMeta meta) {
        long index = meta.getIndex();
        if (agrees(meta)) {
            entries.subList(0, (int) (index - snapshot.getIndex())).clear();
        } else {
            entries.clear();
        }
        snapshot = meta;
    }

    @Override
    public synchronized void compact(long upToIndex) {
        if (upToIndex <= snapshot.getIndex()) {
            return;
        }
        if (upToIndex > lastIndex()) {
            throw new StorageException("compact " + upToIndex + " beyond last index " + lastIndex());
        }
        long term = term(upToIndex);
        entries.subList(0, (int) (upToIndex - snapshot.getIndex())).clear();
        snapshot = snapshot.toBuilder().setIndex(upToIndex).setTerm(term).build();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
