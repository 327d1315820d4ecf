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
 * <p>It models durability for tests: {@link #afterPowerLoss()} gives the storage as a power loss now
 * would leave it, holding every write up to the last synced one (a synced write makes every earlier
 * write durable, as {@link LogStorage#write} requires) and none after it.
 *
 * <p>Invariant: {@code entries.get(i).getIndex() == snapshot.getIndex() + 1 + i}.
 */
public final class MemoryLogStorage implements LogStorage {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private HardState hardState = HardState.getDefaultInstance();
    private SnapshotMeta snapshot;
    private boolean closed;
    /**
     * How to undo each write since the last synced one, oldest first: the state before it, with the
     * entries kept whole only when the write removed some (an append is undone by truncating).
     */
    private final ArrayList<Undo> sinceSync = new ArrayList<>();

    private record Undo(SnapshotMeta snapshot, HardState hardState, int size, List<Entry> entries) {}

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
        if (batch.sync()) {
            sinceSync.clear();
        } else {
            boolean removes = batch.snapshot() != null
                    || (!batch.entries().isEmpty() && batch.entries().get(0).getIndex() <= lastIndex());
            remember(removes);
        }
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
        remember(true); // a compaction need not be synced: a power loss may undo it
        entries.subList(0, (int) (upToIndex - snapshot.getIndex())).clear();
        snapshot = snapshot.toBuilder().setIndex(upToIndex).setTerm(term).build();
    }

    private void remember(boolean removes) {
        sinceSync.add(new Undo(snapshot, hardState, entries.size(), removes ? List.copyOf(entries) : null));
    }

    /**
     * A new storage holding what a power loss now would leave: every write up to and including the last
     * synced one, and nothing written after it. This storage is left as it is.
     */
    public synchronized MemoryLogStorage afterPowerLoss() {
        MemoryLogStorage copy = new MemoryLogStorage(snapshot.getMembership());
        copy.snapshot = snapshot;
        copy.hardState = hardState;
        copy.entries.addAll(entries);
        for (int i = sinceSync.size() - 1; i >= 0; i--) {
            Undo u = sinceSync.get(i);
            copy.snapshot = u.snapshot();
            copy.hardState = u.hardState();
            if (u.entries() != null) {
                copy.entries.clear();
                copy.entries.addAll(u.entries());
            } else {
                copy.entries.subList(u.size(), copy.entries.size()).clear();
            }
        }
        return copy;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
