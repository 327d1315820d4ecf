package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * A test cluster of {@link RaftServer}s hosting many groups, each group on every server with a {@link
 * RegisterStateMachine} and memory storage (kept across remove and re-create, as a disk would be).
 */
final class ServerCluster implements AutoCloseable {
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    final List<RaftServer> servers = new ArrayList<>();
    private final Map<String, LogStorage> storages = new HashMap<>();

    ServerCluster(int size, LongFunction<RaftServer> serverFor) {
        for (long id = 1; id <= size; id++) {
            RaftServer s = serverFor.apply(id);
            s.start();
            servers.add(s);
        }
    }

    long[] voters() {
        return servers.stream().mapToLong(RaftServer::nodeId).toArray();
    }

    static RaftConfig config(long nodeId, long groupId) {
        return RaftConfig.builder()
                .nodeId(nodeId)
                .clusterId("multi")
                .groupId(groupId)
                .tickMillis(20)
                .build();
    }

    /** Creates group {@code groupId} on server {@code server} (0-based), resuming its storage if it had one. */
    RaftNode create(int server, long groupId) {
        RaftServer s = servers.get(server);
        LogStorage storage =
                storages.computeIfAbsent(s.nodeId() + "/" + groupId, k -> MemoryLogStorage.withVoters(voters()));
        return s.createGroup(
                config(s.nodeId(), groupId), storage, new MemorySnapshotStore(), new RegisterStateMachine());
    }

    void createEverywhere(long groupId) {
        for (int i = 0; i < servers.size(); i++) {
            create(i, groupId);
        }
    }

    /** Writes {@code value} to the group through whichever server leads it, retrying until it is applied. */
    void write(long groupId, String value) {
        ByteString v = ByteString.copyFromUtf8(value);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                RaftNode n = s.group(groupId);
                if (n == null) {
                    continue;
                }
                try {
                    if (n.propose(v).get(10, TimeUnit.SECONDS).equals(v)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e; // not the leader, or no leader yet; the command is idempotent
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("group " + groupId + " never applied " + value, last);
    }

    /** Waits until server {@code server}'s replica of the group reads {@code value} linearizably. */
    void awaitValue(int server, long groupId, String value) {
        ByteString want = ByteString.copyFromUtf8(value);
        await(
                () -> {
                    RaftNode n = servers.get(server).group(groupId);
                    try {
                        return n != null
                                && n.read(ByteString.EMPTY, ReadConsistency.LINEARIZABLE)
                                        .get(10, TimeUnit.SECONDS)
                                        .equals(want);
                    } catch (ExecutionException | TimeoutException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                },
                "server " + servers.get(server).nodeId() + " group " + groupId + " reads " + value);
    }

    static void await(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            try {
                Thread.sleep(5); // polling a condition, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        servers.forEach(RaftServer::close);
    }
}
