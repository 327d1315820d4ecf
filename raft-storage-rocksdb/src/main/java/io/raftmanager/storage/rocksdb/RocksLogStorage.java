package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.WriteCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The durable log of one Raft group inside a shared {@link RocksLogEngine}; obtained from {@link
 * RocksLogEngine#group}.
 *
 * <p>Writes: each {@link #write} is one atomic RocksDB WriteBatch (merged with concurrent writes of other
 * groups by group commit); when it returns for a {@code sync} batch, the batch is in the synced WAL.
 * Writes of this group are serialized in call order. {@link #compact} deletes the prefix with one {@code
 * DeleteRange} and is not synced (losing it in a crash only leaves entries that are compacted again).
 *
 * <p>Reads: the first and last index, the last term, the snapshot and the hard state are held in memory;
 * the most recent entries are cached up to {@link RocksLogEngineConfig#entryCacheBytesPerGroup()}; older
 * entries are read from RocksDB and verified (CRC32C) on every read. A write becomes visible to readers
 * when it is written, possibly before its sync completes; it is durable when {@link #write} returns.
 *
 * <p>Thread-safe. Every failure is a {@link StorageException}, fatal to the node; after {@link #close}
 * (or the engine's) every method but {@code close} throws one.
 */
public final class RocksLogStorage implements LogStorage {
    final long groupId;
    private final RocksLogEngine engine;

    /** Guards the view below and every RocksDB read; held by the committer while it writes. */
    final ReentrantLock viewLock = new ReentrantLock();
    /** Serializes this group's writers through planning and commit. */
    private final ReentrantLock writeMutex = new ReentrantLock();

    // The view, guarded by viewLock. Invariant: lastIndex >= snapshot.getIndex(); entries
    // (snapshot.getIndex(), lastIndex] are stored contiguously; lastTerm is the term of lastIndex.
    private SnapshotMeta snapshot;
    private HardState hardState;
    private long lastIndex;
    private long lastTerm;
    private final EntryCache cache;
    private boolean closed;
    /** The open found and repaired a loss (see RocksLogEngine#group); reported by {@link #initialState}. */
    private final boolean lost;
    /** The committer round of this group's last write (for tests). */
    volatile long lastRound;

    RocksLogStorage(
            RocksLogEngine engine,
            long groupId,
            SnapshotMeta snapshot,
            HardState hardState,
            long lastIndex,
            long lastTerm,
            boolean lost) {
        this.engine = engine;
        this.lost = lost;
        this.groupId = groupId;
        this.snapshot = snapshot;
        this.hardState = hardState;
        this.lastIndex = lastIndex;
        this.lastTerm = lastTerm;
        this.cache = new EntryCache(engine::entryCacheShare);
    }

    /** Bytes of entries this group's cache holds now (for tests). */
    long cachedBytes() {
        viewLock.lock();
        try {
            return cache.bytes();
        } finally {
            viewLock.unlock();
        }
    }

    /** The Raft group id this log belongs to. */
    public long groupId() {
        return groupId;
    }

    @Override
    public PersistentState initialState() {
        viewLock.lock();
        try {
            checkOpen();
            return new PersistentState(hardState, snapshot.getMembership(), lost);
        } finally {
            viewLock.unlock();
        }
    }

    @Override
    public long firstIndex() {
        viewLock.lock();
        try {
            checkOpen();
            return snapshot.getIndex() + 1;
        } finally {
            viewLock.unlock();
        }
    }

    @Override
    public long lastIndex() {
        viewLock.lock();
        try {
            checkOpen();
            return lastIndex;
        } finally {
            viewLock.unlock();
        }
    }

    @Override
    public SnapshotMeta snapshot() {
        viewLock.lock();
        try {
            checkOpen();
            return snapshot;
        } finally {
            viewLock.unlock();
        }
    }

    @Override
    public long term(long index) {
        viewLock.lock();
        try {
            checkOpen();
            return termLocked(index);
        } finally {
            viewLock.unlock();
        }
    }

    private long termLocked(long index) {
        long offset = snapshot.getIndex();
        if (index < offset) {
            throw new LogCompactedException(index, offset + 1);
        }
        if (index == offset) {
            return snapshot.getTerm();
        }
        if (index > lastIndex) {
            throw new IndexOutOfBoundsException("index " + index + " beyond last index " + lastIndex);
        }
        if (index == lastIndex) {
            return lastTerm;
        }
        if (cache.contains(index)) {
            return cache.get(index).getTerm();
        }
        byte[] key = Keys.entry(groupId, index);
        try {
            return RecordCodec.entry(key, engine.db().get(engine.logFamily(), key), groupId, index)
                    .getTerm();
        } catch (RocksDBException e) {
            throw new StorageException("group " + groupId + " entry " + index + ": read failed", e);
        }
    }

    @Override
    public List<Entry> entries(long from, long toExclusive, long maxBytes) {
        viewLock.lock();
        try {
            checkOpen();
            if (from <= snapshot.getIndex()) {
                throw new LogCompactedException(from, snapshot.getIndex() + 1);
            }
            if (toExclusive > lastIndex + 1 || from > toExclusive) {
                throw new IndexOutOfBoundsException(
                        "[" + from + ", " + toExclusive + ") beyond last index " + lastIndex);
            }
            List<Entry> out = new ArrayList<>((int) Math.min(toExclusive - from, 256));
            long[] bytes = {0};
            long next = from;
            long cacheFirst = cache.isEmpty() ? lastIndex + 1 : cache.firstIndex();
            if (next < cacheFirst) {
                next = readStored(next, Math.min(toExclusive, cacheFirst), maxBytes, out, bytes);
                if (next < 0) {
                    return out;
                }
            }
            for (; next < toExclusive; next++) {
                if (!take(cache.get(next), maxBytes, out, bytes)) {
                    break;
                }
            }
            return out;
        } finally {
            viewLock.unlock();
        }
    }

    /** Adds {@code e} unless the budget is spent; the first entry is always taken. */
    private static boolean take(Entry e, long maxBytes, List<Entry> out, long[] bytes) {
        bytes[0] += e.getSerializedSize();
        if (!out.isEmpty() && bytes[0] > maxBytes) {
            return false;
        }
        out.add(e);
        return true;
    }

    /** Reads {@code [from, to)} from RocksDB; returns the next index, or -1 if the budget ran out. */
    private long readStored(long from, long to, long maxBytes, List<Entry> out, long[] bytes) {
        try (RocksIterator it = engine.db().newIterator(engine.logFamily())) {
            it.seek(Keys.entry(groupId, from));
            for (long i = from; i < to; i++) {
                if (!it.isValid()) {
                    it.status();
                    throw new StorageException("group " + groupId + " entry " + i + ": record is missing");
                }
                byte[] key = it.key();
                if (Keys.group(key) != groupId || Keys.index(key) != i) {
                    throw new StorageException("group " + groupId + " entry " + i + ": record is missing");
                }
                if (!take(RecordCodec.entry(key, it.value(), groupId, i), maxBytes, out, bytes)) {
                    return -1;
                }
                it.next();
            }
            return to;
        } catch (RocksDBException e) {
            throw new StorageException("group " + groupId + " entries from " + from + ": read failed", e);
        }
    }

    @Override
    public void write(LogBatch batch) {
        writeMutex.lock();
        try {
            WritePlan plan = plan(batch);
            if (plan != null) {
                engine.committer().commit(plan);
                lastRound = plan.round;
            }
        } finally {
            writeMutex.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The batches are planned, written and synced by the engine's committer thread together with every
     * other group's pending writes (one sync for all of them); {@code done} runs on that thread.
     */
    @Override
    public void writeAsync(List<LogBatch> batches, WriteCompletion done) {
        engine.committer().submit(this, List.copyOf(batches), done);
    }

    /** True: {@link #writeAsync} hands the batches to the engine's committer thread and returns. */
    @Override
    public boolean queuesWrites() {
        return true;
    }

    /** Validates {@code batch} against the view and encodes it; null if it changes nothing. */
    WritePlan plan(LogBatch batch) {
        viewLock.lock();
        try {
            checkOpen();
            if (batch.isEmpty()) {
                return null;
            }
            WritePlan p = new WritePlan(this, batch.sync());
            long snapIndex = snapshot.getIndex();
            long last = lastIndex;
            SnapshotMeta s = batch.snapshot();
            if (s != null) {
                if (s.getIndex() < snapIndex) {
                    throw new StorageException("group " + groupId + ": snapshot at " + s.getIndex()
                            + " is older than the installed one at " + snapIndex);
                }
                p.snapshot = s;
                p.snapshotValue = RecordCodec.encode(Keys.state(groupId, Keys.SNAPSHOT), s);
                p.snapshotAgrees = s.getIndex() <= last && termLocked(s.getIndex()) == s.getTerm();
                p.discardTo = (p.snapshotAgrees ? s.getIndex() : last) + 1;
                snapIndex = s.getIndex();
                last = p.snapshotAgrees ? last : s.getIndex();
            }
            List<Entry> es = batch.entries();
            if (!es.isEmpty()) {
                long from = es.get(0).getIndex();
                if (from <= snapIndex || from > last + 1) {
                    throw new StorageException("group " + groupId + ": append at " + from + " outside (" + snapIndex
                            + ", " + (last + 1) + "]");
                }
                if (from <= last) {
                    p.truncateFrom = from;
                    p.truncateTo = last + 1;
                }
                p.entries = es;
                p.entryKeys = new byte[es.size()][];
                p.entryValues = new byte[es.size()][];
                for (int i = 0; i < es.size(); i++) {
                    Entry e = es.get(i);
                    p.entryKeys[i] = Keys.entry(groupId, e.getIndex());
                    p.entryValues[i] = RecordCodec.encode(p.entryKeys[i], e);
                }
            }
            if (batch.hardState() != null) {
                p.hardState = batch.hardState();
                p.hardStateValue = RecordCodec.encode(Keys.state(groupId, Keys.HARD_STATE), p.hardState);
            }
            return p;
        } finally {
            viewLock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Compacting at or below the snapshot index is a no-op. Compacting past it (up to the last index)
     * moves the snapshot point to {@code (upToIndex, term(upToIndex))}, keeping the snapshot's membership,
     * as {@code MemoryLogStorage} does.
     *
     * @throws StorageException if {@code upToIndex > lastIndex()}
     */
    @Override
    public void compact(long upToIndex) {
        writeMutex.lock();
        try {
            WritePlan p;
            viewLock.lock();
            try {
                checkOpen();
                if (upToIndex <= snapshot.getIndex()) {
                    return;
                }
                if (upToIndex > lastIndex) {
                    throw new StorageException(
                            "group " + groupId + ": compact " + upToIndex + " beyond last index " + lastIndex);
                }
                p = new WritePlan(this, false);
                p.snapshot = snapshot.toBuilder()
                        .setIndex(upToIndex)
                        .setTerm(termLocked(upToIndex))
                        .build();
                p.snapshotValue = RecordCodec.encode(Keys.state(groupId, Keys.SNAPSHOT), p.snapshot);
                p.snapshotAgrees = true;
                p.discardTo = upToIndex + 1;
            } finally {
                viewLock.unlock();
            }
            engine.committer().commit(p);
        } finally {
            writeMutex.unlock();
        }
    }

    /** Applies a written plan to the view; called by the committer with {@link #viewLock} held. */
    void apply(WritePlan p) {
        if (p.snapshot != null) {
            if (p.snapshotAgrees) {
                cache.compactThrough(p.snapshot.getIndex());
            } else {
                cache.clear();
                lastIndex = p.snapshot.getIndex();
                lastTerm = p.snapshot.getTerm();
            }
            snapshot = p.snapshot;
        }
        if (!p.entries.isEmpty()) {
            // After the truncation the cache ends right before the new entries (or is empty).
            cache.truncateFrom(p.entries.get(0).getIndex());
            for (Entry e : p.entries) {
                cache.append(e);
            }
            Entry tail = p.entries.get(p.entries.size() - 1);
            lastIndex = tail.getIndex();
            lastTerm = tail.getTerm();
        }
        if (p.hardState != null) {
            hardState = p.hardState;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("group " + groupId + ": storage is closed");
        }
    }

    /** Marks this storage closed; called by {@link #close} and by the engine's close. */
    void markClosed() {
        viewLock.lock();
        try {
            closed = true;
        } finally {
            viewLock.unlock();
        }
    }

    /** The engine's durable snapshot store of this group ({@link RocksLogEngine#snapshotStore}). */
    @Override
    public Optional<SnapshotStore> companionSnapshotStore() {
        return Optional.of(engine.snapshotStore(groupId));
    }

    /**
     * Closes this group's handle; the engine and its other groups stay open. Idempotent. The group can be
     * opened again with {@link RocksLogEngine#group}.
     */
    @Override
    public void close() {
        writeMutex.lock();
        try {
            markClosed();
            engine.release(this);
        } finally {
            writeMutex.unlock();
        }
    }

    @Override
    public String toString() {
        viewLock.lock();
        try {
            return "RocksLogStorage{group=" + groupId + ", first=" + (snapshot.getIndex() + 1) + ", last=" + lastIndex
                    + (closed ? ", closed" : "") + "}";
        } finally {
            viewLock.unlock();
        }
    }
}
