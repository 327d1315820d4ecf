package io.raftmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.PersistentState;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.transport.local.LocalNetwork;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where a node's snapshots go when none is given, and when the builder refuses to guess. */
class RaftNodeBuilderTest {
    /** A counter with snapshots. */
    static final class Counter implements StateMachine {
        long value;

        @Override
        public ByteString apply(long index, ByteString command) {
            value += Long.parseLong(command.toStringUtf8());
            return ByteString.copyFromUtf8(Long.toString(value));
        }

        @Override
        public ByteString query(ByteString query) {
            return ByteString.copyFromUtf8(Long.toString(value));
        }

        @Override
        public StateSnapshot snapshot(long appliedIndex) {
            long v = value;
            return out -> new DataOutputStream(out).writeLong(v);
        }

        @Override
        public void restore(SnapshotInfo snapshot, InputStream in) throws IOException {
            value = new DataInputStream(in).readLong();
        }
    }

    /** A state machine that declines snapshots (the default). */
    static final class NoSnapshots implements StateMachine {
        @Override
        public ByteString apply(long index, ByteString command) {
            return command;
        }

        @Override
        public ByteString query(ByteString query) {
            return query;
        }
    }

    /** A log that offers no companion snapshot store, like a third-party durable storage. */
    static final class NoCompanion implements LogStorage {
        final MemoryLogStorage inner = MemoryLogStorage.withVoters(1);

        @Override
        public PersistentState initialState() {
            return inner.initialState();
        }

        @Override
        public void write(LogBatch batch) {
            inner.write(batch);
        }

        @Override
        public void compact(long upToIndex) {
            inner.compact(upToIndex);
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public long firstIndex() {
            return inner.firstIndex();
        }

        @Override
        public long lastIndex() {
            return inner.lastIndex();
        }

        @Override
        public long term(long index) {
            return inner.term(index);
        }

        @Override
        public List<Entry> entries(long from, long toExclusive, long maxBytes) {
            return inner.entries(from, toExclusive, maxBytes);
        }

        @Override
        public SnapshotMeta snapshot() {
            return inner.snapshot();
        }
    }

    private static RaftNodeBuilder builder(LogStorage storage, StateMachine sm, LocalNetwork net) {
        net.transport(1).reopen();
        return RaftNode.builder()
                .config(RaftConfig.builder()
                        .nodeId(1)
                        .clusterId("builder")
                        .tickMillis(10)
                        .snapshot(SnapshotConfig.builder()
                                .everyEntries(5)
                                .trailingEntries(1)
                                .build())
                        .build())
                .storage(storage)
                .transport(net.transport(1))
                .stateMachine(sm)
                .random(new SplittableRandom(1));
    }

    @Test
    void aStorageWithoutACompanionNeedsAStoreWhenTheStateMachineSnapshots() {
        LocalNetwork net = new LocalNetwork();
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> builder(new NoCompanion(), new Counter(), net).build());
        assertEquals("snapshotStore", e.field());
        // Without snapshots the log is never compacted, so no store is needed.
        builder(new NoCompanion(), new NoSnapshots(), net).build().close();
    }

    /**
     * The old default (a new in-memory store on every build) lost the snapshots between two nodes on the
     * same log, which had been compacted behind them: the second build failed.
     */
    @Test
    void aNodeRestartedOnTheSameLogFindsTheSnapshotsItCompactedBehind() throws Exception {
        LocalNetwork net = new LocalNetwork();
        MemoryLogStorage log = MemoryLogStorage.withVoters(1);
        Counter first = new Counter();
        RaftNode n = builder(log, first, net).build();
        n.start();
        for (int i = 1; i <= 20; i++) {
            proposeUntilLeader(n, i);
        }
        n.snapshotNow().get(30, TimeUnit.SECONDS);
        n.close();
        net.transport(1).close();
        assertTrue(log.firstIndex() > 10, "compacted: first index " + log.firstIndex());

        Counter second = new Counter();
        RaftNode again = builder(log, second, net).build();
        again.start();
        assertEquals(210 + 1, Long.parseLong(proposeUntilLeader(again, 1).toStringUtf8()));
        again.close();
        net.transport(1).close();
    }

    private static ByteString proposeUntilLeader(RaftNode n, long value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!n.state().isLeader()) {
            assertTrue(System.nanoTime() < deadline, "no leader: " + n.state());
            Thread.sleep(5);
        }
        return n.propose(ByteString.copyFromUtf8(Long.toString(value))).get(30, TimeUnit.SECONDS);
    }
}
