package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
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
    private final EventLoopPort loop;
    private final NodeMetrics metrics;
    private volatile long appliedIndex;
    private boolean failed;

    Applier(StateMachine stateMachine, EventLoopPort loop, NodeMetrics metrics, long appliedIndex) {
        this.stateMachine = stateMachine;
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

    @Override
    public int doWork() {
        int work = 0;
        Object task;
        while (!failed && (task = queue.poll()) != null) {
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
            if (e.getType() == EntryType.ENTRY_TYPE_NORMAL) {
                ByteString result;
                try {
                    result = stateMachine.apply(e.getIndex(), e.getData());
                } catch (RuntimeException ex) {
                    failed = true;
                    if (f != null) {
                        f.completeExceptionally(ex);
                    }
                    loop.post(new Inputs.Fatal("state machine apply at index " + e.getIndex(), ex));
                    return;
                }
                if (f != null) {
                    f.complete(result);
                }
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
