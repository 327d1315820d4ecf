package io.raftmanager.storage.rocksdb;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.transport.local.LocalNetwork;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child process of {@link ApplyBacklogTest}: writes a committed log far larger than its heap into
 * RocksDB, then starts a single-voter node on it with a slow state machine, which must replay it all.
 * Prints {@code WROTE <bytes>}, then {@code APPLIED <last index> <peak heap MiB> <failure or null>}, or
 * {@code OOM} if it ran out of heap (in any thread of the node or in its own).
 *
 * <p>Usage: {@code ApplyBacklogChild <directory> <entries> <entry bytes> <maxApplyBytes>}.
 */
final class ApplyBacklogChild {
    private ApplyBacklogChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long maxApplyBytes = Long.parseLong(args[3]);
        Membership single = Membership.newBuilder().addVoters(1).build();
        try {
            try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
                RocksLogStorage s = engine.group(1, single);
                for (int from = 1; from <= count; from += 16) {
                    int to = Math.min(count, from + 15);
                    s.write(new LogBatch(
                            RocksTestSupport.hardState(1, 1, to),
                            RocksTestSupport.entries(1, 1, from, to, size),
                            true));
                }
            }
            System.out.println("WROTE " + (long) count * size);
            try (RocksLogEngine engine = RocksLogEngine.open(RocksTestSupport.config(dir))) {
                SlowMachine sm = new SlowMachine();
                RaftNode node = RaftNode.builder()
                        .config(RaftConfig.builder()
                                .nodeId(1)
                                .clusterId("test-cluster")
                                .groupId(1)
                                .tickMillis(10)
                                .maxApplyBytes(maxApplyBytes)
                                .build())
                        .storage(engine.group(1, single))
                        .transport(new LocalNetwork().transport(1))
                        .stateMachine(sm)
                        .build();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                node.addListener(new RaftListener() {
                    @Override
                    public void onFailure(String where, Throwable cause) {
                        failure.set(cause);
                    }
                });
                node.start();
                long deadline = System.nanoTime() + 100_000_000_000L;
                while (sm.applied < count && failure.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                node.close();
                if (failure.get() instanceof OutOfMemoryError) {
                    throw (OutOfMemoryError) failure.get();
                }
                System.out.println("APPLIED " + sm.applied + " " + peakHeapMiB() + " " + failure.get());
            }
        } catch (OutOfMemoryError e) {
            System.out.println("OOM");
        }
        System.out.flush();
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    /** Applies slowly and keeps nothing of the commands but a count. */
    private static final class SlowMachine implements StateMachine {
        volatile long applied;

        @Override
        public ByteString apply(long index, ByteString command) {
            if (index % 8 == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            applied = index;
            return ByteString.EMPTY;
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.EMPTY;
        }
    }
}
