package io.raftmanager.node;

import java.util.concurrent.ConcurrentLinkedQueue;

/** The event loop's multi-producer queue of inputs; posting wakes the loop. */
final class Inbox implements EventLoopPort {
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private volatile WorkerHandle handle;

    void bind(WorkerHandle h) {
        handle = h;
    }

    @Override
    public void post(Object input) {
        queue.add(input);
        WorkerHandle h = handle;
        if (h != null) {
            h.wake();
        }
    }

    Object poll() {
        return queue.poll();
    }
}
