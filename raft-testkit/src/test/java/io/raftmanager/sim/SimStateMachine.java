package io.raftmanager.sim;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A simulated server's state machine: a digest chained over the commands it applied (so two replicas
 * agree exactly when they applied the same commands in the same order), and its durable snapshot store.
 * A snapshot is the digest and the index it covers, 16 bytes.
 */
final class SimStateMachine {
    /** Survives crashes, like the durable log. */
    final MemorySnapshotStore store = new MemorySnapshotStore();

    long digest;

    void apply(Entry e) {
        if (e.getType() == EntryType.ENTRY_TYPE_NORMAL) {
            digest = (digest ^ e.getData().hashCode() ^ e.getIndex()) * 0x100000001b3L + 0x9e3779b97f4a7c15L;
        }
    }

    /**
     * After a restart: rolls the durable log forward to the latest snapshot if the crash came between
     * writing the snapshot and recording it in the log (as the runtime does), then restores from it.
     *
     * @return the index the state machine is at
     */
    long recover(MemoryLogStorage durable) {
        SnapshotMeta latest = store.latest();
        if (latest != null
                && latest.getIndex() >= durable.snapshot().getIndex()
                && !latest.equals(durable.snapshot())) {
            durable.write(new LogBatch(null, List.of(), latest, true));
        }
        if (latest == null) {
            digest = 0;
            return durable.snapshot().getIndex();
        }
        digest = read(latest)[1];
        return latest.getIndex();
    }

    /** Takes a snapshot at {@code index} (the state machine must be exactly there). */
    SnapshotMeta take(SnapshotMeta meta) {
        SnapshotWriter w = store.create(meta);
        byte[] bytes =
                ByteBuffer.allocate(16).putLong(meta.getIndex()).putLong(digest).array();
        w.write(bytes, 0, bytes.length);
        return w.commit();
    }

    /** The (index, digest) a snapshot in the store holds. */
    long[] read(SnapshotMeta meta) {
        try (InputStream in = store.open(meta, 0)) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes());
            return new long[] {b.getLong(), b.getLong()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytes(SnapshotMeta meta) {
        try (InputStream in = store.open(meta, 0)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
