package io.raftmanager.node.bench;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end throughput and latency of the runtime: a 3-node in-process cluster (real threads,
 * MemoryLogStorage, LocalTransport), 100-byte commands, a closed loop keeping N proposals outstanding.
 * Not a test: run it with {@code raft-core/bench.sh --runtime [outstanding...]}.
 */
public final class RuntimeThroughputHarness {
    /** A state machine that only counts: the harness measures replication, not the service. */
    static final class Sink implements StateMachine {
        private long count;

        @Override
        public ByteString apply(long index, ByteString command) {
            count++;
            return ByteString.EMPTY;
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(Long.toString(count));
        }
    }

    public static void main(String[] args) throws Exception {
        int[] levels = args.length == 0
                ? new int[] {1, 64, 1024}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        long warmupSeconds = Long.getLong("warmup", 5);
        long measureSeconds = Long.getLong("duration", 10);
        LocalNetwork net = new LocalNetwork();
        List<RaftNode> nodes = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RaftNode n = RaftNode.builder()
                    .config(RaftConfig.builder()
                            .nodeId(id)
                            .clusterId("bench")
                            .tickMillis(50)
                            .build())
                    .storage(MemoryLogStorage.withVoters(1, 2, 3))
                    .transport(net.transport(id))
                    .stateMachine(new Sink())
                    .build();
            n.start();
            nodes.add(n);
        }
        RaftNode leader = null;
        while (leader == null) {
            Thread.sleep(20);
            for (RaftNode n : nodes) {
                if (n.status().get().role() == Role.LEADER) {
                    leader = n;
                }
            }
        }
        ByteString command = ByteString.copyFrom(new byte[100]);
        for (int level : levels) {
            run(leader, command, level, warmupSeconds);
            Result r = run(leader, command, level, measureSeconds);
            Histogram h = r.latency;
            System.out.printf(
                    "outstanding=%5d  commits/s=%,10.0f  p50=%7.1f us  p99=%8.1f us  p99.9=%8.1f us  max=%8.1f us  errors=%d%n",
                    level,
                    r.opsPerSecond,
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3,
                    r.errors);
        }
        nodes.forEach(RaftNode::close);
        // Shut down explicitly: leftover threads are daemons but the prints above are the output.
        System.exit(0);
    }

    record Result(double opsPerSecond, Histogram latency, long errors) {}

    private static Result run(RaftNode leader, ByteString command, int outstanding, long seconds)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(outstanding);
        long start = System.nanoTime();
        for (int i = 0; i < outstanding; i++) {
            issue(leader, command, recorder, done, errors, stop, finished);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        long elapsed = System.nanoTime() - start;
        long count = done.get();
        finished.await(30, TimeUnit.SECONDS);
        return new Result(count * 1e9 / elapsed, recorder.getIntervalHistogram(), errors.get());
    }

    /** One closed-loop client: each completion issues the next proposal until stopped. */
    private static void issue(
            RaftNode leader,
            ByteString command,
            Recorder recorder,
            AtomicLong done,
            AtomicLong errors,
            AtomicBoolean stop,
            CountDownLatch finished) {
        long t0 = System.nanoTime();
        leader.propose(command).whenComplete((r, e) -> {
            recorder.recordValue(System.nanoTime() - t0);
            if (e != null) {
                errors.incrementAndGet();
            } else {
                done.incrementAndGet();
            }
            if (stop.get()) {
                finished.countDown();
            } else {
                issue(leader, command, recorder, done, errors, stop, finished);
            }
        });
    }
}
