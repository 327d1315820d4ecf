package io.raftmanager.sim;

import io.raftmanager.RaftConfig;
import io.raftmanager.core.Raft;
import io.raftmanager.core.Ready;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.LogBatch;
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
    final MemoryLogStorage durable;
    final int tickPeriod;
    final SimStateMachine sm = new SimStateMachine();
    private final ArrayDeque<PendingWrite> disk = new ArrayDeque<>();
    Raft raft;
    long appliedIndex;
    long checkedCommit;
    long pausedUntil = -1;
    long slowDiskUntil = -1;
    long crashes;

    SimNode(long id, RaftConfig config, MemoryLogStorage durable, int tickPeriod, SplittableRandom rnd) {
        this.id = id;
        this.config = config;
        this.durable = durable;
        this.tickPeriod = tickPeriod;
        start(rnd);
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
    }

    void start(SplittableRandom rnd) {
        appliedIndex = sm.recover(durable);
        raft = Raft.create(config, durable, durable.initialState(), rnd.split());
        checkedCommit = raft.log().committed();
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
        if (!w.batch().isEmpty()) {
            durable.write(w.batch());
        }
        raft.persisted(w.readyNumber());
        return w.afterPersist();
    }
}
