package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.storage.memory.MemorySnapshotStore;
import io.raftmanager.testkit.SimScheduler;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A follower told to install a snapshot that a newer one replaced in its store before the applier got to
 * it (a new leader's snapshot arrived meanwhile): it installs the newer one and skips the entries that
 * one covers, instead of stopping.
 */
class ApplierNewerSnapshotTest {
    private static final Membership VOTERS =
            Membership.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

    private static SnapshotMeta commit(MemorySnapshotStore store, long index, long counter) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotFormat.writeHeader(bytes, Map.of());
        new DataOutputStream(bytes).writeLong(counter);
        SnapshotWriter w = store.create(SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(2)
                .setMembership(VOTERS)
                .build());
        byte[] b = bytes.toByteArray();
        w.write(b, 0, b.length);
        return w.commit();
    }

    private static Entry entry(long index) {
        return Entry.newBuilder()
                .setIndex(index)
                .setTerm(2)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("1"))
                .build();
    }

    @Test
    void installsTheNewerSnapshotAndSkipsTheEntriesItCovers() throws IOException {
        MemorySnapshotStore store = new MemorySnapshotStore();
        SnapshotMeta older = commit(store, 10, 100);
        commit(store, 20, 200); // replaces the older one before it is installed
        CounterStateMachine sm = CounterStateMachine.withSnapshots();
        CommandApplier commands = new CommandApplier(sm, new SessionTable(60_000, 8, 100), (index, digest) -> {});
        List<Object> posted = new ArrayList<>();
        Applier applier = new Applier(
                sm,
                commands,
                posted::add,
                NodeMetrics.NOOP,
                store,
                SnapshotConfig.DEFAULTS,
                List.of(commands),
                new SimScheduler(),
                new Applier.AppliedPoint(0, 0, VOTERS));

        applier.submit(new Inputs.Restore(older));
        applier.doWork();
        assertTrue(posted.stream().noneMatch(p -> p instanceof Inputs.Fatal), "the node must not stop: " + posted);
        assertEquals(new Inputs.Applied(10), posted.get(posted.size() - 1), "reports what the core handed out");
        assertEquals("200", sm.query(ByteString.EMPTY).toStringUtf8(), "holds the newer snapshot's state");

        List<Entry> entries = new ArrayList<>();
        for (long i = 11; i <= 22; i++) {
            entries.add(entry(i));
        }
        List<CompletableFuture<ByteString>> futures = new ArrayList<>(Collections.nCopies(entries.size(), null));
        applier.submit(new Inputs.ApplyBatch(entries, futures, null));
        applier.doWork();
        assertEquals("202", sm.query(ByteString.EMPTY).toStringUtf8(), "entries up to 20 are not applied twice");
        assertEquals(List.of(21L, 22L), sm.appliedIndexes);
        assertEquals(new Inputs.Applied(22), posted.get(posted.size() - 1));
    }
}
