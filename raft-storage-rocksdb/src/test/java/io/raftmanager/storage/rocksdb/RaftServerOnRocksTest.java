package io.raftmanager.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.RaftNode;
import io.raftmanager.RaftServer;
import io.raftmanager.ReadConsistency;
import io.raftmanager.StateMachine;
import io.raftmanager.node.RaftEngine;
import io.raftmanager.transport.local.LocalNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link RaftServer}s, each with one {@link RocksLogEngine} holding the logs of all its groups: every
 * group commits, and after every server restarts on its database, every group still holds its value.
 */
class RaftServerOnRocksTest {
    private static final int GROUPS = 40;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    /** Rebuilt from the log after a restart (no snapshots): the log alone carries the value. */
    static final class Register implements StateMachine {
        private volatile ByteString value = ByteString.EMPTY;

        @Override
        public ByteString apply(long index, ByteString command) {
            value = command;
            return command;
        }

        @Override
        public ByteString query(ByteString query) {
            return value;
        }
    }

    private final List<RocksLogEngine> logs = new ArrayList<>();
    private final List<RaftServer> servers = new ArrayList<>();

    private void start(RaftEngine engine, LocalNetwork network) {
        for (long id = 1; id <= 3; id++) {
            network.transport(id).reopen();
            RocksLogEngine log = RocksLogEngine.open(RocksLogEngineConfig.builder(dir.resolve("n" + id), "c", id)
                    .blockCacheBytes(8 << 20)
                    .build());
            logs.add(log);
            RaftServer s = RaftServer.builder()
                    .nodeId(id)
                    .transport(network.transport(id))
                    .scheduler(engine)
                    .seed(id)
                    .build();
            s.start();
            servers.add(s);
            for (long g = 1; g <= GROUPS; g++) {
                s.createGroup(
                        RaftConfig.builder()
                                .nodeId(id)
                                .clusterId("c")
                                .groupId(g)
                                .tickMillis(50)
                                .electionTicks(20)
                                .build(),
                        log.group(g, RocksTestSupport.VOTERS),
                        log.snapshotStore(g),
                        new Register());
            }
        }
    }

    private void stop() {
        servers.forEach(RaftServer::close);
        logs.forEach(RocksLogEngine::close); // closes every group's log, so the groups can be opened again
        servers.clear();
        logs.clear();
    }

    private void write(long g, ByteString v) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                try {
                    if (s.group(g).propose(v).get(10, TimeUnit.SECONDS).equals(v)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not the leader or none yet; the write is idempotent
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("group " + g + " never applied " + v.toStringUtf8());
    }

    private ByteString read(int server, long g) throws InterruptedException {
        RaftNode n = servers.get(server).group(g);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            try {
                return n.read(ByteString.EMPTY, ReadConsistency.LINEARIZABLE).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Thread.sleep(5); // no leader yet
            }
        }
        throw new AssertionError("group " + g + " never answered a read on server " + (server + 1));
    }

    @Test
    void everyGroupSurvivesARestartOfEveryServerOnItsOneDatabase() throws Exception {
        LocalNetwork network = new LocalNetwork();
        try (RaftEngine engine =
                RaftEngine.builder().loops(2).diskThreads(2).name("srvrocks").build()) {
            start(engine, network);
            try {
                for (long g = 1; g <= GROUPS; g++) {
                    write(g, ByteString.copyFromUtf8("g" + g));
                }
            } finally {
                stop();
            }
            start(engine, network);
            try {
                for (long g = 1; g <= GROUPS; g++) {
                    for (int s = 0; s < 3; s++) {
                        assertEquals("g" + g, read(s, g).toStringUtf8(), "server " + (s + 1) + " group " + g);
                    }
                }
                assertTrue(servers.stream().allMatch(s -> s.groupCount() == GROUPS));
            } finally {
                stop();
            }
        }
    }

    /**
     * The engine's one disk thread is not held through an fsync: groups proposing at once share their
     * syncs on each server (with a thread held per sync, one disk thread would mean one write per sync).
     */
    @Test
    void groupsProposingTogetherShareSyncsWithOneDiskThread() throws Exception {
        LocalNetwork network = new LocalNetwork();
        try (RaftEngine engine =
                RaftEngine.builder().loops(2).diskThreads(1).name("srvshare").build()) {
            start(engine, network);
            try {
                for (long g = 1; g <= GROUPS; g++) {
                    write(g, ByteString.copyFromUtf8("warm" + g)); // every group has a leader
                }
                long syncs = 0;
                long writes = 0;
                long[] before = new long[3];
                long[] beforeWrites = new long[3];
                for (int i = 0; i < 3; i++) {
                    before[i] = logs.get(i).syncCount();
                    beforeWrites[i] = logs.get(i).syncedWriteCount();
                }
                for (int round = 0; round < 5; round++) {
                    List<java.util.concurrent.CompletableFuture<ByteString>> pending = new ArrayList<>();
                    for (long g = 1; g <= GROUPS; g++) {
                        for (RaftServer s : servers) {
                            if (s.group(g).state().isLeader()) {
                                pending.add(s.group(g).propose(ByteString.copyFromUtf8("r" + round)));
                            }
                        }
                    }
                    for (var f : pending) {
                        try {
                            f.get(60, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            // a leader changed meanwhile: fine, the count below is about the others
                        }
                    }
                }
                for (int i = 0; i < 3; i++) {
                    syncs += logs.get(i).syncCount() - before[i];
                    writes += logs.get(i).syncedWriteCount() - beforeWrites[i];
                }
                assertTrue(writes >= 5L * GROUPS, "every replica synced the proposals: " + writes);
                assertTrue(syncs * 3 <= writes, syncs + " syncs for " + writes + " synced writes: not shared");
            } finally {
                stop();
            }
        }
    }
}
