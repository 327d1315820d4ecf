package io.raftmanager.node;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A worker's multi-producer queue of inputs: posting from any thread wakes the worker, which polls on
 * its own thread. Every worker of the runtime receives its work through one.
 */
final class Mailbox<T> implements EventLoopPort {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private volatile WorkerHandle handle;

    void bind(WorkerHandle h) {
        handle = h;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void post(Object input) {
        add((T) input);
    }

    void add(T input) {
        queue.add(input);
        WorkerHandle h = handle;
        if (h != null) {
            h.wake();
        }
    }

    /** Takes {@code input} back if the worker has not polled it yet; returns whether it did. */
    boolean remove(T input) {
        return queue.remove(input);
    }

    T poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
