package io.raftmanager.bench;

import com.google.protobuf.ByteString;
import com.sun.management.OperatingSystemMXBean;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.Role;
import io.raftmanager.StateMachine;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.transport.local.LocalNetwork;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many idle groups on three {@link RaftServer}s in one process (one engine, in-process transport): how long
 * until every group has a leader, then the process CPU, the messages from server 1 to server 2 per second,
 * and the heap once idle. Not a test: run it with {@code raft-core/bench.sh --groups WINDOW_MS N...}
 * (WINDOW_MS 0 sends heartbeats one by one).
 */
public final class ManyGroupsHarness {
    private static final long TICK_MILLIS = 100;
    private static final long IDLE_SECONDS = 10;

    /** Holds nothing: the harness measures the groups' overhead, not a service. */
    static final class Nothing implements StateMachine {
        @Override
        public ByteString apply(long index, ByteString command) {
            return ByteString.EMPTY;
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.EMPTY;
        }

        @Override
        public boolean applyOnEventLoop() {
            return true;
        }
    }

    /** Counts the messages a server's transport really sends to server 2. */
    static final class Counting implements Transport {
        final Transport inner;
        final LongAdder toServer2 = new LongAdder();

        Counting(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void start(InboundHandler handler) {
            inner.start(handler);
        }

        @Override
        public void send(RaftMessage m) {
            if (m.getTo() == 2) {
                toServer2.increment();
            }
            inner.send(m);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    public static void main(String[] args) throws Exception {
        long window = Long.parseLong(args[0]);
        for (int i = 1; i < args.length; i++) {
            run(Integer.parseInt(args[i]), window);
        }
    }

    private static void run(int groups, long windowMillis) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        LocalNetwork network = new LocalNetwork();
        List<Counting> transports = new ArrayList<>();
        List<RaftServer> servers = new ArrayList<>();
        ConcurrentHashMap<Long, Long> leaders = new ConcurrentHashMap<>(); // group -> its leader's id
        try (RaftEngine engine = RaftEngine.builder().name("bench").build()) {
            for (long id = 1; id <= 3; id++) {
                Counting t = new Counting(network.transport(id));
                transports.add(t);
                RaftServer s = RaftServer.builder()
                        .nodeId(id)
                        .transport(t)
                        .scheduler(engine)
                        .coalesceHeartbeatsMillis(windowMillis)
                        .build();
                s.start();
                servers.add(s);
            }
            long start = System.nanoTime();
            for (long g = 1; g <= groups; g++) {
                for (RaftServer s : servers) {
                    RaftNode n = s.createGroup(
                            RaftConfig.builder()
                                    .nodeId(s.nodeId())
                                    .clusterId("bench")
                                    .groupId(g)
                                    .tickMillis(TICK_MILLIS)
                                    .electionTicks(20)
                                    .digestIntervalTicks(0)
                                    .build(),
                            MemoryLogStorage.withVoters(1, 2, 3),
                            new MemorySnapshotStore(),
                            new Nothing());
                    long group = g;
                    long self = s.nodeId();
                    n.addListener(new RaftListener() {
                        @Override
                        public void onRoleChange(Role role, long term, long leader) {
                            if (role == Role.LEADER) {
                                leaders.put(group, self);
                            } else {
                                leaders.remove(group, self);
                            }
                        }
                    });
                }
            }
            double createdAt = (System.nanoTime() - start) / 1e9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (leaders.size() < groups && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double electedAt = (System.nanoTime() - start) / 1e9;
            Thread.sleep(TimeUnit.SECONDS.toMillis(5)); // settle: elections' last appends
            long cpu0 = os.getProcessCpuTime();
            long msgs0 = transports.get(0).toServer2.sum();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cores = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds;
            double msgsPerSecond = (transports.get(0).toServer2.sum() - msgs0) / seconds;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            int[] perServer = new int[3];
            leaders.values().forEach(id -> perServer[(int) (id - 1)]++);
            System.out.printf(
                    "groups=%d window=%dms created=%.1fs elected=%d/%d at %.1fs leaders=%d/%d/%d idle: cpu=%.2f cores,"
                            + " server1->2 msgs/s=%.1f, heap after GC=%d MiB (3 servers)%n",
                    groups,
                    windowMillis,
                    createdAt,
                    leaders.size(),
                    groups,
                    electedAt,
                    perServer[0],
                    perServer[1],
                    perServer[2],
                    cores,
                    msgsPerSecond,
                    heap >> 20);
            servers.forEach(RaftServer::close);
        }
    }
}
