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
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many idle groups on three {@link RaftServer}s in one process (one engine, in-process transport): how long
 * until every group has a leader, then the process CPU, the messages from server 1 to server 2 per second,
 * and the heap once idle. Not a test: run it with {@code raft-core/bench.sh --groups [quiesce] WINDOW_MS
 * N...} (WINDOW_MS 0 sends heartbeats one by one). With {@code quiesce} the servers quiesce idle groups;
 * after the idle measurement the harness then kills server 1 and reports how long the groups it led took to
 * elect new leaders on servers 2 and 3.
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
        int first = 0;
        boolean quiesce = args[0].equals("quiesce");
        if (quiesce) {
            first = 1;
        }
        long window = Long.parseLong(args[first]);
        for (int i = first + 1; i < args.length; i++) {
            run(Integer.parseInt(args[i]), window, quiesce);
        }
    }

    private static void run(int groups, long windowMillis, boolean quiesce) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        LocalNetwork network = new LocalNetwork();
        List<Counting> transports = new ArrayList<>();
        List<RaftServer> servers = new ArrayList<>();
        ConcurrentHashMap<Long, Long> leaders = new ConcurrentHashMap<>(); // group -> its leader's id
        ConcurrentHashMap<Long, Long> leaderSince = new ConcurrentHashMap<>(); // group -> System.nanoTime()
        try (RaftEngine engine = RaftEngine.builder().name("bench").build()) {
            for (long id = 1; id <= 3; id++) {
                Counting t = new Counting(network.transport(id));
                transports.add(t);
                RaftServer s = RaftServer.builder()
                        .nodeId(id)
                        .transport(t)
                        .scheduler(engine)
                        .coalesceHeartbeatsMillis(windowMillis)
                        .quiesceIdleGroups(quiesce)
                        .maxConcurrentElections(Integer.getInteger(
                                "bench.maxElections", RaftServer.Builder.DEFAULT_MAX_CONCURRENT_ELECTIONS))
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
                        public void onRoleChange(Role role, long term, OptionalLong leader) {
                            if (role == Role.LEADER) {
                                leaders.put(group, self);
                                leaderSince.put(group, System.nanoTime());
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
            int quiesced = 0;
            for (RaftServer s : servers) {
                quiesced += s.quiescedGroupCount();
            }
            System.out.printf(
                    "groups=%d window=%dms quiesce=%s created=%.1fs elected=%d/%d at %.1fs leaders=%d/%d/%d"
                            + " quiesced replicas=%d/%d idle: cpu=%.2f cores, server1->2 msgs/s=%.1f,"
                            + " heap after GC=%d MiB (3 servers)%n",
                    groups,
                    windowMillis,
                    quiesce,
                    createdAt,
                    leaders.size(),
                    groups,
                    electedAt,
                    perServer[0],
                    perServer[1],
                    perServer[2],
                    quiesced,
                    3 * groups,
                    cores,
                    msgsPerSecond,
                    heap >> 20);
            if (quiesce) {
                killServer1(servers, leaders, leaderSince);
            }
            servers.forEach(RaftServer::close);
        }
    }

    /** Closes server 1 and waits until every group it led has a leader on server 2 or 3. */
    private static void killServer1(List<RaftServer> servers, Map<Long, Long> leaders, Map<Long, Long> electedAt)
            throws Exception {
        List<Long> led = new ArrayList<>();
        leaders.forEach((g, id) -> {
            if (id == 1) {
                led.add(g);
            }
        });
        long killedAt = System.nanoTime();
        servers.get(0).close();
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(120);
        List<Long> waiting = new ArrayList<>(led);
        long slowest = 0;
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            for (var it = waiting.iterator(); it.hasNext(); ) {
                long g = it.next();
                Long id = leaders.get(g);
                Long at = electedAt.get(g);
                if (id != null && id != 1 && at != null && at > killedAt) {
                    slowest = Math.max(slowest, at - killedAt);
                    it.remove();
                }
            }
        }
        System.out.printf(
                "  killed server 1 (leading %d groups): %d/%d re-elected on servers 2 and 3, the slowest after %.2f s%n",
                led.size(), led.size() - waiting.size(), led.size(), slowest / 1e9);
    }
}
