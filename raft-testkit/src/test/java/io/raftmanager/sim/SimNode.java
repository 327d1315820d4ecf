package io.raftmanager.sim;

import io.raftmanager.RaftConfig;
import io.raftmanager.core.Raft;
import io.raftmanager.core.Ready;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated server: a core, a disk whose writes complete after a latency (in order), and a crash
 * model in which only completed writes survive. The disk is modelled exactly as the runtime's log
 * writer: a Ready's messagesAfterPersist go out, and {@link Raft#persisted} is called, only when its
 * write completes.
 */
final class SimNode {
    /** A write handed to the disk and not yet durable. */
    private record PendingWrite(long readyNumber, LogBatch batch, List<RaftMessage> afterPersist, long completeAt) {}

    final long id;
    final RaftConfig config;
    /** The disk: replaced by a damaged one when a disk fault strikes (see {@link SimDiskFault}). */
    MemoryLogStorage durable;

    /** The membership the disk was bootstrapped with, for a replaced disk. */
    private final Membership bootstrap;
    /** The storage will report a detected loss at the next start. */
    private boolean lostAtStart;
    /** A disk fault struck and the server has not finished recovering from it yet. */
    boolean damaged;
    /** The disk as it was before the last fault: what the server acknowledged before losing it. */
    MemoryLogStorage lostDisk;

    /** How far this server's monotonic clock advances per simulation step: its clock rate (drift). */
    final long stepNanos;
    /** Where this server's clock stood at step 0, so that servers do not tick in phase. */
    private final long clockOffset;

    private final long tickNanos;
    /** Ticks handed to the current core; it catches up with its clock after a pause, as the runtime does. */
    long ticksDone;

    SimStateMachine sm = new SimStateMachine();
    private final ArrayDeque<PendingWrite> disk = new ArrayDeque<>();
    Raft raft;
    long appliedIndex;
    /** Entries up to here are in the state machine already: a newer snapshot was installed in their place. */
    long skipThrough;

    long checkedCommit;
    long pausedUntil = -1;
    long slowDiskUntil = -1;
    long crashes;
    /** The fsync of the next write to complete fails (a failing disk). */
    boolean failNextSync;
    /** Planted bug: a failed fsync is retried and the server carries on as if the write were durable. */
    boolean retriesFailedSync;
    /**
     * Entries from this index on are not durable though the server believes they are (after a failed sync
     * that the planted bug retried): the next crash loses them. {@code Long.MAX_VALUE} normally.
     */
    long notDurableFrom = Long.MAX_VALUE;
    /** What {@link #completeWrite} returns when the write's fsync failed and the server stopped. */
    static final List<RaftMessage> SYNC_FAILED = java.util.Collections.unmodifiableList(new java.util.ArrayList<>());

    SimNode(long id, RaftConfig config, MemoryLogStorage durable, long stepNanos, SplittableRandom rnd) {
        this.id = id;
        this.config = config;
        this.durable = durable;
        this.bootstrap = durable.snapshot().getMembership();
        this.stepNanos = stepNanos;
        this.tickNanos = config.tickMillis() * 1_000_000L;
        this.clockOffset = rnd.nextLong(tickNanos);
        start(rnd, 0);
    }

    /** This server's monotonic clock at step {@code now}; it runs on while the server is paused. */
    long clock(long now) {
        return clockOffset + now * stepNanos;
    }

    /** Ticks the core as many times as its clock says are due (more than once only after a pause). */
    void tickUpTo(long now) {
        long due = clock(now) / tickNanos;
        while (ticksDone < due) {
            ticksDone++;
            raft.tick(clock(now));
        }
    }

    boolean isUp() {
        return raft != null;
    }

    boolean isPaused(long now) {
        return now < pausedUntil;
    }

    /** Loses everything not yet durable: the core's memory and every incomplete write. */
    void crash() {
        raft = null;
        disk.clear();
        crashes++;
        if (notDurableFrom != Long.MAX_VALUE) {
            // The kernel dropped the pages of the write whose fsync failed: it and every later write are gone.
            durable = durable.afterPowerLoss();
            notDurableFrom = Long.MAX_VALUE;
        }
    }

    void start(SplittableRandom rnd, long now) {
        ticksDone = clock(now) / tickNanos;
        appliedIndex = sm.recover(durable);
        skipThrough = 0;
        PersistentState state = durable.initialState();
        if (lostAtStart) {
            // Reported at every start until the recovery flag is durable: the damage is still on disk.
            state = new PersistentState(state.hardState(), state.membership(), true);
        }
        raft = Raft.create(config, durable, state, rnd.split());
        checkedCommit = raft.log().committed();
    }

    /** Whether this server joined after bootstrap: its disk started with no configuration. */
    boolean joined() {
        return bootstrap.getVotersCount() == 0;
    }

    /** A crashed server's disk suffers {@code fault}; it takes effect at the next start. */
    /** {@code storageDetects} false plants a bug: a corrupt record silently truncates the log. */
    void damage(SimDiskFault fault, SplittableRandom rnd, boolean storageDetects) {
        if (isUp()) {
            throw new IllegalStateException("damage a running server's disk");
        }
        lostDisk = durable;
        durable = fault.apply(durable, bootstrap, rnd, storageDetects);
        if (!fault.keepsSnapshots()) {
            sm = new SimStateMachine();
        }
        lostAtStart = fault.detected && (storageDetects || fault != SimDiskFault.CORRUPT_RECORD);
        damaged = true;
    }

    /** Hands the disk a Ready's write; it completes after a latency, in order with earlier ones. */
    void submitWrite(Ready rd, long now, SplittableRandom rnd) {
        long latency = 1 + rnd.nextInt(3) + (now < slowDiskUntil ? 20 + rnd.nextInt(80) : 0);
        long completeAt =
                Math.max(now + latency, disk.isEmpty() ? 0 : disk.peekLast().completeAt());
        LogBatch batch = rd.toLogBatch();
        disk.add(new PendingWrite(rd.number(), batch, rd.messagesAfterPersist(), completeAt));
    }

    boolean diskIdle() {
        return disk.isEmpty();
    }

    /**
     * Completes the next write due by {@code now}: it becomes durable, and its after-persist messages are
     * returned for sending. Returns null if none is due.
     */
    List<RaftMessage> completeWrite(long now) {
        if (disk.isEmpty() || disk.peek().completeAt() > now) {
            return null;
        }
        PendingWrite w = disk.poll();
        if (failNextSync && !w.batch().isEmpty()) {
            failNextSync = false;
            if (!retriesFailedSync) {
                return SYNC_FAILED; // fail-stop: nothing of this write is acknowledged
            }
            LogBatch b = w.batch();
            notDurableFrom = Math.min(
                    notDurableFrom,
                    b.entries().isEmpty()
                            ? durable.lastIndex() + 1
                            : b.entries().get(0).getIndex());
        }
        if (!w.batch().isEmpty()) {
            LogBatch b = w.batch();
            // After a failed sync that was retried, nothing written is durable any more (see crash()).
            durable.write(
                    notDurableFrom == Long.MAX_VALUE
                            ? b
                            : new LogBatch(b.hardState(), b.entries(), b.snapshot(), false));
            lostAtStart &= !durable.initialState().hardState().getRecovering();
        }
        raft.persisted(w.readyNumber());
        return w.afterPersist();
    }
}
