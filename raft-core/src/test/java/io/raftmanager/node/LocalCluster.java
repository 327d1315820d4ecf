package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.raftmanager.NodeStatus;
import io.raftmanager.NotLeaderException;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** An in-process cluster of real nodes (real threads) over a {@link LocalNetwork}, for runtime tests. */
final class LocalCluster implements AutoCloseable {
    final LocalNetwork network = new LocalNetwork();
    final Map<Long, MemoryLogStorage> storages = new HashMap<>();
    final Map<Long, CounterStateMachine> machines = new HashMap<>();
    final Map<Long, RaftNode> nodes = new HashMap<>();
    private final long[] ids;

    LocalCluster(int size) {
        ids = new long[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        for (long id : ids) {
            storages.put(id, MemoryLogStorage.withVoters(ids));
            start(id);
        }
    }

    static RaftConfig config(long id) {
        return RaftConfig.builder()
                .nodeId(id)
                .clusterId("local")
                .groupId(1)
                .tickMillis(25) // 250 ms election timeouts: no spurious elections on a loaded 2-core CI machine
                .electionTicks(10)
                .heartbeatTicks(1)
                .build();
    }

    RaftNode start(long id) {
        CounterStateMachine sm = new CounterStateMachine();
        network.transport(id).reopen();
        RaftNode node = RaftNode.builder()
                .config(config(id))
                .storage(storages.get(id))
                .transport(network.transport(id))
                .stateMachine(sm)
                .random(new SplittableRandom(id))
                .build();
        machines.put(id, sm);
        nodes.put(id, node);
        node.start();
        return node;
    }

    void stop(long id) {
        nodes.remove(id).close();
        network.transport(id).close();
    }

    /** Polls until some node reports itself leader; returns it. */
    RaftNode awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (RaftNode n : nodes.values()) {
                NodeStatus s = n.status().orTimeout(5, TimeUnit.SECONDS).join();
                if (s.role() == Role.LEADER) {
                    return n;
                }
            }
            pause();
        }
        return fail("no leader within " + timeout);
    }

    /**
     * Proposes at whichever node leads, retrying on {@link NotLeaderException} and {@link
     * io.raftmanager.ProposalDroppedException} (the command was definitely not applied then, so retrying
     * is safe); returns the result.
     */
    ByteString proposeAtLeader(ByteString command, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RaftNode target = awaitLeader(timeout);
        while (true) {
            try {
                return target.propose(command)
                        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .join();
            } catch (CompletionException e) {
                boolean notApplied = e.getCause() instanceof NotLeaderException
                        || e.getCause() instanceof io.raftmanager.ProposalDroppedException;
                if (!notApplied || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
                target = awaitLeader(timeout);
            }
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Long> ids() {
        List<Long> out = new ArrayList<>();
        for (long id : ids) {
            out.add(id);
        }
        return out;
    }

    @Override
    public void close() {
        nodes.values().forEach(RaftNode::close);
        nodes.clear();
    }
}
