package io.raftmanager.storage.rocksdb;

import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.StorageFullException;
import io.raftmanager.spi.WriteCompletion;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit across every group of the engine, on one committer thread whatever the number of groups.
 *
 * <p>Asynchronous writes ({@link #submit}, the runtime's path) are queued; the committer thread takes
 * everything queued, plans each group's batches against its view, writes them as merged WriteBatches
 * without sync (numbered rounds; a group's second batch goes into the next round, after its first is
 * applied), then syncs the WAL once ({@code SyncWAL} covers every round written before it started) and
 * completes each write. While it syncs, the next writes queue up and share the next sync: a lone write
 * waits for nothing but its own sync, and N groups writing at once cost about one sync, not N. Writes
 * without sync complete as soon as they are written.
 *
 * <p>Blocking writes ({@link #commit}: bootstraps, compactions, commit-index writes from the event loop)
 * write their round on the calling thread, and a synced one then waits for a sync of the committer thread
 * that covers its round. Rounds are written one at a time (the RocksDB write and the switch of the
 * groups' in-memory views), never while holding a sync.
 *
 * <p>Writing without sync and then syncing also lets each group's view be switched together with the
 * RocksDB contents while readers are held back only for the memtable insert, not for the fsync. A crash
 * after the write and before the sync loses only writes not yet completed. Any failure is fatal: the
 * committer refuses every later write, because the in-memory views may be ahead of the disk (a failed
 * fsync in particular: the kernel may have dropped the dirty pages). One exception: a write that RocksDB
 * refused for lack of space ({@link StorageFullException}) was not applied to any view and is not
 * synced, so later writes are still tried; RocksDB refuses them until it has recovered (it flushes its
 * memtables to a new WAL and resumes by itself once space returns).
 */
final class GroupCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    private final RocksDB db;
    private final WriteOptions noSync;
    private final ColumnFamilyHandle log;
    private final ColumnFamilyHandle state;
    private final Thread thread;

    /** Serializes rounds (the RocksDB write and the views' switch); never held across a sync. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private long rounds; // guarded by writeLock
    /** The last round written successfully; a sync started after reading it covers it. */
    private volatile long writtenRound;
    /** The highest round covered by a completed WAL sync. */
    private volatile long syncedRound;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private ArrayList<Request> queue = new ArrayList<>();
    /** The highest round a blocking writer waits to see synced. */
    private long syncWanted;

    private int inFlight;
    private boolean closed;
    private boolean stopping;
    private StorageException failure;
    private long syncs;
    private long syncedWrites;
    private long plans;

    /** One group's asynchronous write: its batches in order, completed once. */
    private static final class Request {
        final RocksLogStorage storage;
        final List<LogBatch> batches;
        final WriteCompletion done;
        int written;
        boolean sync;
        RuntimeException error;

        Request(RocksLogStorage storage, List<LogBatch> batches, WriteCompletion done) {
            this.storage = storage;
            this.batches = batches;
            this.done = done;
        }

        boolean finished() {
            return error != null || written == batches.size();
        }
    }

    GroupCommitter(RocksDB db, WriteOptions noSync, ColumnFamilyHandle log, ColumnFamilyHandle state, String name) {
        this.db = db;
        this.noSync = noSync;
        this.log = log;
        this.state = state;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /** Starts the committer thread, once the engine is open. */
    void start() {
        thread.start();
    }

    /**
     * Queues {@code batches} of {@code storage} for the committer thread, which completes {@code done}
     * once they are written and, if one asks for sync, durable. The caller makes no other write of that
     * group until then.
     */
    void submit(RocksLogStorage storage, List<LogBatch> batches, WriteCompletion done) {
        RuntimeException refused = null;
        lock.lock();
        try {
            refused = refusal();
            if (refused == null) {
                queue.add(new Request(storage, batches, done));
                if (queue.size() == 1) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            done.completed(0, refused);
        }
    }

    /**
     * Writes {@code plan} in a round of its own on the calling thread and returns once that round is
     * durable (if the plan asks for sync). Blocks; ignores interrupts (the interrupt status is kept),
     * because returning early would report a write durable that is not.
     *
     * @throws StorageException if the engine is closed or has failed
     * @throws StorageFullException if RocksDB refused the write for lack of space (nothing was written)
     */
    void commit(WritePlan plan) {
        lock.lock();
        try {
            RuntimeException refused = refusal();
            if (refused != null) {
                throw refused;
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
        RuntimeException error;
        try {
            error = writeRound(List.of(plan));
            if (error == null && plan.sync) {
                error = awaitSync(plan.round);
            }
        } finally {
            lock.lock();
            try {
                inFlight--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (error instanceof StorageFullException full) {
            throw new StorageFullException(full.getMessage(), full);
        }
        if (error != null) {
            throw new StorageException(error.getMessage(), error);
        }
    }

    private RuntimeException awaitSync(long round) {
        lock.lock();
        try {
            if (round > syncWanted) {
                syncWanted = round;
                changed.signalAll();
            }
            while (syncedRound < round && failure == null) {
                changed.awaitUninterruptibly();
            }
            if (syncedRound < round) {
                return failure;
            }
            syncedWrites++;
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        for (; ; ) {
            List<Request> round;
            long wanted;
            lock.lock();
            try {
                while (queue.isEmpty() && (syncWanted <= syncedRound || failure != null) && !stopping) {
                    changed.awaitUninterruptibly();
                }
                if (queue.isEmpty() && (syncWanted <= syncedRound || failure != null)) {
                    return; // stopping, and nothing left to do
                }
                round = queue;
                queue = new ArrayList<>();
                wanted = syncWanted;
            } finally {
                lock.unlock();
            }
            try {
                cycle(round, wanted);
            } catch (RuntimeException | Error e) {
                // A bug, not a disk error: fail rather than leave writers waiting forever.
                LOG.error("RocksDB group committer failed", e);
                fail(new StorageException("RocksDB group committer failed: " + e, e));
                for (Request r : round) {
                    if (!r.finished()) {
                        r.error = failure();
                        complete(r);
                    }
                }
            }
        }
    }

    /** Writes the queued requests, syncs once if anything asks for it, and completes them. */
    private void cycle(List<Request> round, long wanted) {
        List<Request> active = new ArrayList<>(round);
        while (!active.isEmpty()) {
            List<WritePlan> planned = new ArrayList<>(active.size());
            List<Request> owners = new ArrayList<>(active.size());
            for (Request r : active) {
                LogBatch b = r.batches.get(r.written);
                WritePlan p;
                try {
                    p = r.storage.plan(b);
                } catch (StorageException e) {
                    r.error = e;
                    continue;
                } catch (RuntimeException e) {
                    r.error = new StorageException("group " + r.storage.groupId + ": " + e.getMessage(), e);
                    continue;
                }
                if (p == null) {
                    r.written++;
                } else {
                    planned.add(p);
                    owners.add(r);
                }
            }
            RuntimeException error = planned.isEmpty() ? null : writeRound(planned);
            for (int i = 0; i < owners.size(); i++) {
                Request r = owners.get(i);
                if (error != null) {
                    r.error = error;
                } else {
                    r.written++;
                    r.sync |= planned.get(i).sync;
                    r.storage.lastRound = planned.get(i).round;
                }
            }
            List<Request> next = new ArrayList<>(active.size());
            for (Request r : active) {
                if (!r.finished()) {
                    next.add(r);
                }
            }
            active = next;
        }
        boolean needSync = wanted > syncedRound;
        int waiting = 0;
        for (Request r : round) {
            if (r.error == null && r.sync) {
                needSync = true;
                waiting++;
            } else {
                complete(r); // not synced, or failed: nothing to wait for
            }
        }
        if (!needSync) {
            return;
        }
        StorageException error = sync(waiting);
        for (Request r : round) {
            if (r.error == null && r.sync) {
                if (error != null) {
                    r.error = error;
                }
                complete(r);
            }
        }
    }

    private static void complete(Request r) {
        try {
            r.done.completed(r.written, r.error);
        } catch (RuntimeException e) {
            LOG.error("a write completion of group {} failed", r.storage.groupId, e);
        }
    }

    /**
     * Syncs the WAL, covering every round written so far, for {@code writes} asynchronous writes waiting
     * on it; returns the failure, or null.
     */
    private StorageException sync(int writes) {
        StorageException failed = failure();
        if (failed != null) {
            return failed;
        }
        long target = writtenRound;
        StorageException error = null;
        try {
            db.syncWal();
        } catch (RocksDBException | RuntimeException e) {
            error = new StorageException("RocksDB WAL sync failed; the storage refuses further writes: " + e, e);
        }
        lock.lock();
        try {
            if (error != null) {
                failure = failure == null ? error : failure;
            } else {
                syncedRound = target;
                syncs++;
                syncedWrites += writes;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return error;
    }

    /**
     * Writes {@code round} as one WriteBatch without sync and switches the groups' views; returns the
     * error, or null. Rounds are numbered in the order they are written.
     */
    private RuntimeException writeRound(List<WritePlan> round) {
        writeLock.lock();
        try {
            StorageException failed = failure();
            if (failed != null) {
                return failed;
            }
            long number = ++rounds;
            for (WritePlan p : round) {
                p.round = number;
            }
            RuntimeException error = write(round);
            if (error == null) {
                writtenRound = number;
                lock.lock();
                try {
                    plans += round.size();
                } finally {
                    lock.unlock();
                }
            } else if (error instanceof StorageException fatal) {
                fail(fatal);
            }
            return error;
        } finally {
            writeLock.unlock();
        }
    }

    private RuntimeException write(List<WritePlan> round) {
        try (WriteBatch batch = new WriteBatch()) {
            for (WritePlan p : round) {
                p.addTo(batch, log, state);
            }
            // Lock every group's view so that readers never see RocksDB contents and a view that
            // disagree. Only the round's writer takes more than one of these locks, under writeLock, so
            // no ordering is needed.
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

    private void fail(StorageException error) {
        lock.lock();
        try {
            failure = failure == null ? error : failure;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private StorageException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /** Why a new write is refused (closed or failed), or null; called with the lock held. */
    private StorageException refusal() {
        if (closed) {
            return new StorageException("the RocksDB log engine is closed");
        }
        if (failure != null) {
            return new StorageException("the RocksDB log engine failed earlier: " + failure.getMessage(), failure);
        }
        return null;
    }

    /**
     * Refuses new writes, waits for blocking writes in progress and for the committer thread to finish
     * every queued write, then stops it.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            while (inFlight > 0) {
                changed.awaitUninterruptibly();
            }
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Number of WAL syncs so far (group commit means fewer syncs than synced writes). */
    long syncCount() {
        lock.lock();
        try {
            return syncs;
        } finally {
            lock.unlock();
        }
    }

    /** Number of synced writes (asynchronous or blocking) that syncs have completed so far. */
    long syncedWriteCount() {
        lock.lock();
        try {
            return syncedWrites;
        } finally {
            lock.unlock();
        }
    }

    /** Number of plans (one group's write or compaction) written so far. */
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
        writeLock.lock();
        try {
            return rounds;
        } finally {
            writeLock.unlock();
        }
    }
}
