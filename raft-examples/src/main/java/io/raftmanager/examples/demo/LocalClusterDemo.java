package io.raftmanager.examples.demo;

import com.google.protobuf.ByteString;
import io.raftmanager.NotLeaderException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.StateMachine;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A 3-server cluster in one process replicating a counter: it proposes increments, isolates the leader,
 * shows a new leader taking over with every acknowledged increment intact, heals, and checks that all
 * servers converge to the same value.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run a 3-node in-process cluster demo.")
public final class LocalClusterDemo implements Callable<Integer> {
    @Option(names = "--increments", description = "Increments proposed in each phase (default: ${DEFAULT-VALUE}).")
    int increments = 100;

    private final PrintStream out = System.out;

    /** The replicated service. */
    static final class Counter implements StateMachine {
        private long value;

        @Override
        public ByteString apply(long index, ByteString command) {
            value += Long.parseLong(command.toStringUtf8());
            return ByteString.copyFromUtf8(Long.toString(value));
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(Long.toString(value));
        }
    }

    @Override
    public Integer call() throws Exception {
        LocalNetwork network = new LocalNetwork();
        Map<Long, RaftNode> nodes = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            RaftNode node = RaftNode.builder()
                    .config(RaftConfig.builder()
                            .nodeId(id)
                            .clusterId("demo")
                            .tickMillis(20)
                            .build())
                    .storage(MemoryLogStorage.withVoters(1, 2, 3))
                    .transport(network.transport(id))
                    .stateMachine(new Counter())
                    .build();
            node.start();
            nodes.put(id, node);
        }
        try {
            long first = awaitLeader(nodes, 0);
            out.printf("server %d was elected leader%n", first);
            long acked = proposeAll(nodes, first, increments);
            out.printf("%d increments acknowledged; counter = %d%n", increments, acked);

            out.printf("isolating leader %d from the others...%n", first);
            network.isolate(first);
            long second = awaitLeader(nodes, first);
            out.printf("server %d took over%n", second);
            acked = proposeAll(nodes, second, increments);
            out.printf("%d more increments acknowledged; counter = %d%n", increments, acked);

            out.println("healing the network...");
            network.heal();
            long expected = (long) increments * 2;
            for (long id : nodes.keySet()) {
                long value = awaitValue(nodes.get(id), expected);
                out.printf("server %d: counter = %d%n", id, value);
            }
            out.println("all servers agree: no acknowledged increment was lost");
            return 0;
        } finally {
            nodes.values().forEach(RaftNode::close);
        }
    }

    private static long awaitLeader(Map<Long, RaftNode> nodes, long excluded) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
                if (e.getKey() != excluded && e.getValue().state().isLeader()) {
                    return e.getKey();
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no leader elected within 30 s");
    }

    private static long proposeAll(Map<Long, RaftNode> nodes, long leader, int count) throws Exception {
        long last = 0;
        for (int i = 0; i < count; i++) {
            try {
                last = Long.parseLong(nodes.get(leader)
                        .propose(ByteString.copyFromUtf8("1"))
                        .get(10, TimeUnit.SECONDS)
                        .toStringUtf8());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof NotLeaderException) {
                    leader = awaitLeader(nodes, 0); // definitely not applied: safe to retry elsewhere
                    i--;
                } else {
                    throw e;
                }
            }
        }
        return last;
    }

    private static long awaitValue(RaftNode node, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long value;
        do {
            value = Long.parseLong(node.read(ByteString.EMPTY, ReadConsistency.STALE)
                    .get(5, TimeUnit.SECONDS)
                    .toStringUtf8());
            if (value == expected) {
                return value;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("counter stuck at " + value + ", expected " + expected);
    }
}
