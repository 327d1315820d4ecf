package io.raftmanager.storage.rocksdb;

import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.StorageFullException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Merges concurrent writes of any groups into one {@link WriteBatch} per round, and rounds into shared
 * WAL syncs (group commit).
 *
 * <p>Two pipelined stages, each with a leader/follower hand-off:
 *
 * <ol>
 *   <li>Write: a caller enqueues its {@link WritePlan}; if no round is being written it becomes the write
 *       leader, takes every queued plan, writes them as one batch without sync and switches the groups'
 *       in-memory views; writers arriving meanwhile form the next round under the next leader.
 *   <li>Sync: a caller whose round is written but not yet covered by a sync waits; if no sync is running
 *       it becomes the sync leader and syncs the WAL ({@code SyncWAL}), which covers every round written
 *       before the sync started, so one fsync acknowledges several rounds.
 * </ol>
 *
 * Because the next round is written while the previous one is being synced, the fsync is never idle
 * waiting for writers to come back, and no round is a lone straggler. A caller returns only once a sync
 * that started after its round was written has completed (a plan with {@code sync == false} returns once
 * written).
 *
 * <p>Writing without sync and then syncing, rather than writing with {@code sync=true}, also lets each
 * group's view be switched together with the RocksDB contents while readers are held back only for the
 * memtable insert, not for the fsync. A crash after the write and before the sync loses only writes
 * whose callers have not returned. Any failure is fatal: the committer refuses every later write,
 * because the in-memory views may be ahead of the disk. One exception: a write that RocksDB refused for
 * lack of space ({@link StorageFullException}) was not applied to any view and is not synced, so later
 * writes are still tried; RocksDB refuses them until it has recovered (it flushes its memtables to a new
 * WAL and resumes by itself once space returns).
 */
final class GroupCommitter {
    private final RocksDB db;
    private final WriteOptions noSync;
    private final ColumnFamilyHandle log;
    private final ColumnFamilyHandle state;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private ArrayList<WritePlan> queue = new ArrayList<>();
    private boolean writing;
    private boolean syncing;
    private int inFlight;
    private boolean closed;
    private StorageException failure;
    private long writtenRound;
    private long syncs;
    private long plans;
    private long rounds;
    /** The highest round covered by a completed WAL sync; written under lock, read by tests without. */
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
            inFlight++;
            try {
                queue.add(plan);
                while (!plan.written) {
                    if (writing) {
                        changed.awaitUninterruptibly();
                    } else {
                        leadWrite();
                    }
                }
                while (plan.error == null && plan.sync && syncedRound < plan.round) {
                    if (failure != null) {
                        plan.error = failure;
                    } else if (syncing) {
                        changed.awaitUninterruptibly();
                    } else {
                        leadSync();
                    }
                }
            } finally {
                inFlight--;
                changed.signalAll();
            }
            if (plan.error instanceof StorageFullException full) {
                throw new StorageFullException(full.getMessage(), full);
            }
            if (plan.error != null) {
                throw new StorageException(plan.error.getMessage(), plan.error);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes every queued plan as one round; called and returns with the lock held. */
    private void leadWrite() {
        writing = true;
        ArrayList<WritePlan> round = queue;
        queue = new ArrayList<>();
        long number = ++rounds;
        for (WritePlan p : round) {
            p.round = number;
        }
        RuntimeException error = failure;
        if (error == null) {
            lock.unlock();
            try {
                error = writeRound(round);
            } finally {
                lock.lock();
            }
        }
        if (error instanceof StorageException fatal) {
            failure = failure == null ? fatal : failure;
        } else if (error == null) {
            writtenRound = number;
        }
        plans += round.size();
        for (WritePlan p : round) {
            p.error = error;
            p.written = true;
        }
        writing = false;
        changed.signalAll();
    }

    /** Syncs the WAL, covering every round written so far; called and returns with the lock held. */
    private void leadSync() {
        syncing = true;
        long target = writtenRound;
        StorageException error = null;
        lock.unlock();
        try {
            db.syncWal();
        } catch (RocksDBException | RuntimeException e) {
            error = new StorageException("RocksDB WAL sync failed; the storage refuses further writes: " + e, e);
        } finally {
            lock.lock();
        }
        if (error != null) {
            failure = failure == null ? error : failure;
        } else {
            syncedRound = target;
            syncs++;
        }
        syncing = false;
        changed.signalAll();
    }

    private RuntimeException writeRound(List<WritePlan> round) {
        try (WriteBatch batch = new WriteBatch()) {
            for (WritePlan p : round) {
                p.addTo(batch, log, state);
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
            return null;
        } catch (RocksDBException e) {
            if (isNoSpace(e)) {
                return new StorageFullException("disk full: RocksDB refused the write (" + e.getMessage() + ")", e);
            }
            return new StorageException("RocksDB write failed; the storage refuses further writes: " + e, e);
        } catch (RuntimeException e) {
            return new StorageException("RocksDB write failed; the storage refuses further writes: " + e, e);
        }
    }

    /** RocksDB reports ENOSPC as an IOError with sub-code NoSpace, also while it waits for space to recover. */
    static boolean isNoSpace(RocksDBException e) {
        Status st = e.getStatus();
        if (st != null && st.getSubCode() == Status.SubCode.NoSpace) {
            return true;
        }
        String m = e.getMessage();
        return m != null && m.contains("No space left on device");
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
            while (inFlight > 0) {
                changed.awaitUninterruptibly();
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
