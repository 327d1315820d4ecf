package io.raftmanager.spi;

/**
 * How a {@link LogStorage#writeAsync} reports its outcome, exactly once, on any thread. It must not block:
 * storage may call it from the one thread that writes and syncs the logs of every group.
 */
@FunctionalInterface
public interface WriteCompletion {
    /**
     * The writes finished.
     *
     * @param written how many batches of the list were written, in order (all of them when {@code error}
     *     is null)
     * @param error null, or what the first batch that was not written would have thrown from {@link
     *     LogStorage#write}; a {@link StorageFullException} keeps its promise that the failed batch (and
     *     every later one of the list) changed nothing
     */
    void completed(int written, RuntimeException error);
}
