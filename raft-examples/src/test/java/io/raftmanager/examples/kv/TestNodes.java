package io.raftmanager.examples.kv;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** Helpers shared by the KV tests: free ports, single-node configs, polling with a deadline. */
final class TestNodes {
    private TestNodes() {}

    static int freePort() {
        return io.raftmanager.examples.testing.FreePorts.next();
    }

    static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** A one-node cluster: it elects itself at once. */
    static KvNodeConfig singleNode(Path data, int maxBulkBytes) {
        InetSocketAddress raft = local(freePort());
        return new KvNodeConfig(
                1,
                "test",
                raft,
                local(freePort()),
                local(freePort()),
                Map.of(1L, raft),
                data,
                false,
                300,
                50,
                0,
                0,
                maxBulkBytes,
                5_000,
                "memory",
                0);
    }

    /** An n-node cluster's configurations (in-process nodes, memory logs). */
    static java.util.List<KvNodeConfig> cluster(Path dir, int n) {
        Map<Long, InetSocketAddress> raft = new java.util.TreeMap<>();
        for (long id = 1; id <= n; id++) {
            raft.put(id, local(freePort()));
        }
        java.util.List<KvNodeConfig> out = new java.util.ArrayList<>();
        for (long id = 1; id <= n; id++) {
            out.add(new KvNodeConfig(
                    id,
                    "test",
                    raft.get(id),
                    local(freePort()),
                    null,
                    raft,
                    dir.resolve("n" + id),
                    false,
                    2_000, // generous: on a loaded machine a short timeout changes leaders mid-test
                    100,
                    0,
                    0,
                    KvNodeConfig.DEFAULT_MAX_BULK_BYTES,
                    20_000,
                    "memory",
                    0));
        }
        return out;
    }

    /** Polls {@code condition} until it returns true or {@code timeout} passes; returns the time taken. */
    static Duration await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }
}
