package io.raftmanager.storage.rocksdb;

import io.raftmanager.spi.StorageException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Merges concurrent writes of any groups into one {@link WriteBatch} and one WAL sync (group commit).
 *
 * <p>Leader/follower: a caller enqueues its {@link WritePlan} and waits. If no round is in progress it
 * becomes the leader: it takes every queued plan, writes them as one batch, syncs the WAL once, marks
 * them done and wakes the others; writers that arrived meanwhile form the next round under a new leader.
 * A caller returns only once the round holding its plan has been synced (or, for a round with no
 * {@code sync} plan, written).
 *
 * <p>The batch is written without sync and then the WAL is synced ({@code SyncWAL}), rather than written
 * with {@code sync=true}, so that each group's in-memory view can be switched together with the RocksDB
 * contents while readers are held back only for the memtable insert, not for the fsync. A crash after
 * the write and before the sync loses only writes whose callers have not returned. Any failure is fatal:
 * the committer refuses every later write, because the in-memory views may be ahead of the disk.
 */
final class GroupCommitter {
    private final RocksDB db;
    private final WriteOptions noSync;
    private final ColumnFamilyHandle log;
    private final ColumnFamilyHandle state;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundDone = lock.newCondition();
    // Guarded by lock.
    private ArrayList<WritePlan> queue = new ArrayList<>();
    private boolean leading;
    private boolean closed;
    private StorageException failure;
    private long syncs;
    private long plans;
    private long rounds;
    /** The highest round whose WAL sync has completed; written by the leader only. */
    private volatile long syncedRound;

    GroupCommitter(RocksDB db, WriteOptions noSync, ColumnFamilyHandle log, ColumnFamilyHandle state) {
        this.db = db;
        this.noSync = noSync;
        this.log = log;
        this.state = state;
    }

    /**
     * Writes {@code plan} in some round and returns once that round is durable (if the plan asks for
     * sync). Blocks; ignores interrupts (the interrupt status is kept), because returning early would
     * report a write durable that is not.
     *
     * @throws StorageException if the engine is closed or has failed
     */
    void commit(WritePlan plan) {
        lock.lock();
        try {
            checkUsable();
            queue.add(plan);
            while (!plan.done) {
                if (leading) {
                    roundDone.awaitUninterruptibly();
                    continue;
                }
                leading = true;
                ArrayList<WritePlan> round = queue;
                queue = new ArrayList<>();
                long number = ++rounds;
                for (WritePlan p : round) {
                    p.round = number;
                }
                StorageException error = failure;
                if (error == null) {
                    lock.unlock();
                    try {
                        error = writeRound(round, number);
                    } finally {
                        lock.lock();
                    }
                }
                if (error != null && failure == null) {
                    failure = error;
                }
                plans += round.size();
                for (WritePlan p : round) {
                    p.error = error;
                    p.done = true;
                }
                leading = false;
                roundDone.signalAll();
            }
            if (plan.error != null) {
                throw new StorageException(plan.error.getMessage(), plan.error);
            }
        } finally {
            lock.unlock();
        }
    }

    private StorageException writeRound(List<WritePlan> round, long number) {
        boolean sync = false;
        try (WriteBatch batch = new WriteBatch()) {
            for (WritePlan p : round) {
                p.addTo(batch, log, state);
                sync |= p.sync;
            }
            // Lock every group's view so that readers never see RocksDB contents and a view that
            // disagree. Only the leader takes more than one of these locks, so no ordering is needed.
            IdentityHashMap<RocksLogStorage, Boolean> owners = new IdentityHashMap<>();
            for (WritePlan p : round) {
                owners.put(p.storage, Boolean.TRUE);
            }
            List<RocksLogStorage> locked = new ArrayList<>(owners.size());
            try {
                for (RocksLogStorage s : owners.keySet()) {
                    s.viewLock.lock();
                    locked.add(s);
                }
                db.write(noSync, batch);
                for (WritePlan p : round) {
                    p.storage.apply(p);
                }
            } finally {
                for (RocksLogStorage s : locked) {
                    s.viewLock.unlock();
                }
            }
            if (sync) {
                db.syncWal();
                syncedRound = number;
                countSync();
            }
            return null;
        } catch (RocksDBException | RuntimeException e) {
            return new StorageException("RocksDB write failed; the storage refuses further writes: " + e, e);
        }
    }

    private void countSync() {
        lock.lock();
        try {
            syncs++;
        } finally {
            lock.unlock();
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new StorageException("the RocksDB log engine is closed");
        }
        if (failure != null) {
            throw new StorageException("the RocksDB log engine failed earlier: " + failure.getMessage(), failure);
        }
    }

    /** Refuses new writes and waits for queued and in-flight rounds to finish. */
    void close() {
        lock.lock();
        try {
            closed = true;
            while (leading || !queue.isEmpty()) {
                roundDone.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Number of WAL syncs so far (for tests: group commit means fewer syncs than synced writes). */
    long syncCount() {
        lock.lock();
        try {
            return syncs;
        } finally {
            lock.unlock();
        }
    }

    /** Number of plans committed so far. */
    long planCount() {
        lock.lock();
        try {
            return plans;
        } finally {
            lock.unlock();
        }
    }

    /** The number of the last round whose WAL sync completed (for tests of the durability promise). */
    long syncedRound() {
        return syncedRound;
    }

    /** Number of rounds (merged WriteBatches) so far. */
    long roundCount() {
        lock.lock();
        try {
            return rounds;
        } finally {
            lock.unlock();
        }
    }
}
