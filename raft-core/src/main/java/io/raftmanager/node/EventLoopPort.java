package io.raftmanager.node;

/** How other workers hand inputs to the event loop: non-blocking, from any thread. */
interface EventLoopPort {
    void post(Object input);
}
