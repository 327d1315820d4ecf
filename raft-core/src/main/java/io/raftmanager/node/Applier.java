package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.RaftException;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.Entry;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Applies committed entries to the {@link StateMachine} in log order, completes the proposers' futures
 * with the results, and answers queries once the state has reached the index they wait for. If the
 * state machine throws, the applier stops for good: skipping an entry would let replicas diverge.
 */
final class Applier implements Worker {
    private final Mailbox<Object> queue = new Mailbox<>();
    private final PriorityQueue<Inputs.Query> waitingQueries =
            new PriorityQueue<>((a, b) -> Long.compare(a.index(), b.index()));
    private final StateMachine stateMachine;
    private final CommandApplier commands;
    private final EventLoopPort loop;
    private final NodeMetrics metrics;
    private volatile long appliedIndex;
    private boolean failed;
    /** Set when this server diverged: it applies and answers nothing more. */
    private volatile RaftException halted;

    Applier(
            StateMachine stateMachine,
            CommandApplier commands,
            EventLoopPort loop,
            NodeMetrics metrics,
            long appliedIndex) {
        this.stateMachine = stateMachine;
        this.commands = commands;
        this.loop = loop;
        this.metrics = metrics;
        this.appliedIndex = appliedIndex;
    }

    void bind(WorkerHandle h) {
        queue.bind(h);
    }

    void submit(Object task) {
        queue.add(task);
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Stops applying for good, failing what waits with {@code reason}; callable from any thread. */
    void halt(RaftException reason) {
        halted = reason;
        queue.add(reason); // wakes the worker so it fails what is queued
    }

    @Override
    public int doWork() {
        if (halted != null) {
            return failUnfinished(halted);
        }
        int work = 0;
        Object task;
        while (!failed && halted == null && (task = queue.poll()) != null) {
            work++;
            if (task instanceof Inputs.ApplyBatch batch) {
                apply(batch);
            } else if (task instanceof Inputs.Query q) {
                waitingQueries.add(q);
            }
            answerQueries();
        }
        return work;
    }

    private void apply(Inputs.ApplyBatch batch) {
        List<Entry> entries = batch.entries();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            CompletableFuture<ByteString> f = batch.futures().get(i);
            try {
                commands.apply(e, f);
            } catch (RuntimeException ex) {
                failed = true;
                if (f != null) {
                    f.completeExceptionally(ex);
                }
                loop.post(new Inputs.Fatal("state machine apply at index " + e.getIndex(), ex));
                return;
            }
            appliedIndex = e.getIndex();
        }
        metrics.recordApplied(entries.size());
        loop.post(new Inputs.Applied(appliedIndex));
    }

    private void answerQueries() {
        while (!waitingQueries.isEmpty() && waitingQueries.peek().index() <= appliedIndex) {
            Inputs.Query q = waitingQueries.poll();
            try {
                q.future().complete(stateMachine.query(q.query()));
            } catch (RuntimeException ex) {
                q.future().completeExceptionally(ex);
            }
        }
    }

    private int failUnfinished(RaftException reason) {
        IndeterminateResultException unknown =
                new IndeterminateResultException("committed but this server stopped applying: " + reason.getMessage());
        List<Object> left = drainUnfinished();
        for (Object o : left) {
            if (o instanceof Inputs.Query q) {
                q.future().completeExceptionally(reason);
            } else if (o instanceof Inputs.ApplyBatch b) {
                b.futures().forEach(f -> {
                    if (f != null) {
                        f.completeExceptionally(unknown);
                    }
                });
            }
        }
        return 0;
    }

    /** Everything still queued, for failing on close; call only after the worker stopped. */
    List<Object> drainUnfinished() {
        List<Object> out = new java.util.ArrayList<>(waitingQueries);
        waitingQueries.clear();
        Object t;
        while ((t = queue.poll()) != null) {
            out.add(t);
        }
        return out;
    }
}
