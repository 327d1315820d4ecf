package io.raftmanager.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.spi.StorageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link LogStorage} must meet, as a reusable JUnit 5 suite: extend it, implement
 * {@link #create} and {@link #reopen}, and every test runs against your storage. Shipped in raft-testkit.
 *
 * <p>It covers append, overwrite of a conflicting suffix (Raft §5.3), snapshot installation through a
 * {@link LogBatch} into an agreeing and a disagreeing log, compaction, term lookups, byte-budgeted range
 * reads, durability across a reopen, atomic rejection of invalid batches, and the error cases (compacted
 * index, index beyond the last, closed storage).
 */
public abstract class LogStorageContractTest {
    /** The membership every storage of this suite is bootstrapped with. */
    protected static final Membership VOTERS =
            Membership.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

    protected LogStorage storage;

    /** A new, empty storage bootstrapped with {@code membership}. */
    protected abstract LogStorage create(Membership membership);

    /**
     * Simulates a restart: closes {@code storage} if the implementation persists anything, and returns a
     * storage over the same durable state. An in-memory implementation may return {@code storage} itself.
     */
    protected abstract LogStorage reopen(LogStorage storage);

    /**
     * Damages a closed storage's durable records, for the corruption cases; a storage that keeps nothing
     * on disk returns null (the default) and those cases are skipped.
     */
    protected interface Damage {
        /** Flips a bit in the stored record of the entry at {@code index}. */
        void entry(long index);

        /** Flips a bit in the stored hard state record. */
        void hardState();
    }

    /** How to damage this implementation's records between a close and a reopen, or null. */
    protected Damage damage() {
        return null;
    }

    /** Closes the storage, applies {@code how}, and reopens it. */
    private void damageAndReopen(java.util.function.Consumer<Damage> how) {
        Damage d = damage();
        org.junit.jupiter.api.Assumptions.assumeTrue(d != null, "this storage keeps nothing on disk");
        storage = reopen(new ClosingOnly(storage, () -> how.accept(d)));
    }

    /** Hands {@link #reopen} a storage whose close also damages the records once closed. */
    private record ClosingOnly(LogStorage inner, Runnable afterClose) implements LogStorage {
        @Override
        public io.raftmanager.spi.PersistentState initialState() {
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

        @Override
        public void close() {
            inner.close();
            afterClose.run();
        }
    }

    @BeforeEach
    void createStorage() {
        storage = create(VOTERS);
    }

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** An entry whose payload is derived from its term and index, so a wrong or damaged read shows. */
    protected static Entry entry(long term, long index) {
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("entry-" + term + "-" + index + "-payload"))
                .build();
    }

    /** Entries {@code [from, toInclusive]} of {@code term}. */
    protected static List<Entry> entries(long term, long from, long toInclusive) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(term, i));
        }
        return out;
    }

    protected static SnapshotMeta snapshotMeta(long index, long term, long... voters) {
        Membership.Builder m = Membership.newBuilder();
        for (long v : voters) {
            m.addVoters(v);
        }
        return SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setMembership(m)
                .build();
    }

    protected static HardState hardState(long term, long vote, long commit) {
        return HardState.newBuilder()
                .setTerm(term)
                .setVote(vote)
                .setCommit(commit)
                .build();
    }

    protected void append(List<Entry> es) {
        storage.write(new LogBatch(null, es, true));
    }

    protected List<Entry> all() {
        return storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Long.MAX_VALUE);
    }

    private static List<Long> terms(List<Entry> es) {
        return es.stream().map(Entry::getTerm).toList();
    }

    private void restart() {
        storage = reopen(storage);
    }

    /**
     * The storage as a power loss right now would leave it, reopened: at least every write up to the last
     * synced one. The default is a clean {@link #reopen}, which loses nothing and so checks only that half;
     * an implementation that can model losing unsynced writes overrides it to drop them.
     */
    protected LogStorage afterPowerLoss(LogStorage storage) {
        return reopen(storage);
    }

    // ---- durability: a synced write covers every earlier write ---------------------------------------

    /**
     * The SPI's durability rule, which configuration safety relies on (a commit index or configuration
     * written without sync is made durable by the next synced write): after a power loss, a synced write
     * brings back every write before it, synced or not, including a truncation, a hard state and a
     * compaction.
     */
    @Test
    void aSyncedWriteMakesEveryEarlierWriteDurable() {
        append(entries(1, 1, 6));
        storage.write(new LogBatch(hardState(1, 1, 2), entries(1, 7, 8), false));
        storage.write(new LogBatch(null, entries(2, 5, 6), false)); // truncates 7..8, rewrites 5..6
        storage.write(new LogBatch(hardState(2, 1, 4), List.of(), false)); // a commit index alone
        storage.compact(2);
        storage.write(new LogBatch(null, entries(2, 7, 7), true));
        storage = afterPowerLoss(storage);
        assertEquals(3, storage.firstIndex());
        assertEquals(7, storage.lastIndex());
        assertEquals(List.of(1L, 1L, 2L, 2L, 2L), terms(all()));
        assertEquals(hardState(2, 1, 4), storage.initialState().hardState());
    }

    /** After the last synced write, a power loss may lose later writes, but only whole ones, in order. */
    @Test
    void aPowerLossKeepsAPrefixOfTheWritesAfterTheLastSync() {
        append(entries(1, 1, 3));
        storage.write(new LogBatch(hardState(1, 1, 3), List.of(), true));
        storage.write(new LogBatch(null, entries(1, 4, 5), false));
        storage.write(new LogBatch(null, entries(2, 5, 6), false));
        storage = afterPowerLoss(storage);
        List<Long> terms = terms(all());
        assertTrue(
                terms.equals(List.of(1L, 1L, 1L))
                        || terms.equals(List.of(1L, 1L, 1L, 1L, 1L))
                        || terms.equals(List.of(1L, 1L, 1L, 1L, 2L, 2L)),
                "the synced state plus a prefix of the later writes, got terms " + terms);
        assertEquals(hardState(1, 1, 3), storage.initialState().hardState());
    }

    // ---- empty log and append ------------------------------------------------------------------------

    @Test
    void emptyLogStartsAtIndexOneWithTheBootstrapMembership() {
        assertEquals(1, storage.firstIndex());
        assertEquals(0, storage.lastIndex());
        assertEquals(0, storage.term(0));
        assertEquals(List.of(), storage.entries(1, 1, 100));
        assertEquals(HardState.getDefaultInstance(), storage.initialState().hardState());
        assertEquals(VOTERS, storage.initialState().membership());
        assertEquals(0, storage.snapshot().getIndex());
    }

    @Test
    void appendedEntriesAreReadBackExactly() {
        append(entries(1, 1, 3));
        append(entries(2, 4, 5));
        assertEquals(1, storage.firstIndex());
        assertEquals(5, storage.lastIndex());
        assertEquals(1, storage.term(3));
        assertEquals(2, storage.term(4));
        assertEquals(2, storage.term(5));
        assertEquals(entries(1, 2, 3), storage.entries(2, 4, Long.MAX_VALUE));
        assertEquals(List.of(1L, 1L, 1L, 2L, 2L), terms(all()));
    }

    @Test
    void unsyncedWritesAreVisibleAtOnce() {
        storage.write(new LogBatch(hardState(1, 1, 0), entries(1, 1, 2), false));
        assertEquals(2, storage.lastIndex());
        assertEquals(entries(1, 1, 2), all());
    }

    @Test
    void emptyBatchChangesNothing() {
        append(entries(1, 1, 2));
        storage.write(new LogBatch(null, List.of(), true));
        storage.write(new LogBatch(null, List.of(), false));
        assertEquals(2, storage.lastIndex());
        assertEquals(HardState.getDefaultInstance(), storage.initialState().hardState());
        restart();
        assertEquals(entries(1, 1, 2), all());
    }

    // ---- overwrite -----------------------------------------------------------------------------------

    @Test
    void writeAtAnEarlierIndexTruncatesTheConflictingSuffix() {
        append(entries(1, 1, 5));
        append(entries(3, 3, 3));
        assertEquals(3, storage.lastIndex());
        assertEquals(List.of(1L, 1L, 3L), terms(all()));
        assertThrows(IndexOutOfBoundsException.class, () -> storage.term(4));
        append(entries(3, 4, 4));
        assertEquals(entry(3, 4), storage.entries(4, 5, Long.MAX_VALUE).get(0));
    }

    @Test
    void overwriteLongerThanTheOldSuffixReplacesAllOfIt() {
        append(entries(1, 1, 4));
        append(entries(2, 2, 7));
        assertEquals(7, storage.lastIndex());
        assertEquals(List.of(1L, 2L, 2L, 2L, 2L, 2L, 2L), terms(all()));
    }

    @Test
    void truncationSurvivesReopen() {
        append(entries(1, 1, 6));
        append(entries(2, 4, 4));
        restart();
        assertEquals(4, storage.lastIndex());
        List<Entry> expected = new ArrayList<>(entries(1, 1, 3));
        expected.add(entry(2, 4));
        assertEquals(expected, all());
    }

    @Test
    void appendLeavingAGapIsRejectedAndChangesNothing() {
        append(entries(1, 1, 2));
        assertThrows(
                StorageException.class, () -> storage.write(new LogBatch(hardState(5, 1, 1), entries(1, 4, 4), true)));
        assertEquals(2, storage.lastIndex());
        assertEquals(HardState.getDefaultInstance(), storage.initialState().hardState());
    }

    // ---- hard state ----------------------------------------------------------------------------------

    @Test
    void hardStateIsKeptUnlessABatchCarriesANewOneAndSurvivesReopen() {
        HardState hs = hardState(3, 2, 0);
        storage.write(new LogBatch(hs, List.of(), true));
        append(entries(3, 1, 1));
        assertEquals(hs, storage.initialState().hardState());
        HardState next = hardState(3, 2, 1);
        storage.write(new LogBatch(next, entries(3, 2, 2), true));
        restart();
        assertEquals(next, storage.initialState().hardState());
        assertEquals(2, storage.lastIndex());
    }

    // ---- reads: terms, ranges, budgets, errors -------------------------------------------------------

    @Test
    void termLookupsCoverTheSnapshotIndexAndRejectEverythingOutside() {
        append(entries(1, 1, 3));
        append(entries(2, 4, 6));
        storage.compact(2);
        assertEquals(1, storage.term(2)); // the snapshot point itself
        assertEquals(1, storage.term(3));
        assertEquals(2, storage.term(6));
        assertThrows(LogCompactedException.class, () -> storage.term(1));
        assertThrows(LogCompactedException.class, () -> storage.term(0));
        assertThrows(IndexOutOfBoundsException.class, () -> storage.term(7));
    }

    @Test
    void rangeReadsRejectCompactedAndOutOfRangeBounds() {
        append(entries(1, 1, 6));
        storage.compact(2);
        assertThrows(LogCompactedException.class, () -> storage.entries(2, 4, Long.MAX_VALUE));
        assertThrows(LogCompactedException.class, () -> storage.entries(1, 2, Long.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> storage.entries(3, 8, Long.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> storage.entries(5, 4, Long.MAX_VALUE));
        assertEquals(List.of(), storage.entries(7, 7, Long.MAX_VALUE));
        assertEquals(entries(1, 3, 6), storage.entries(3, 7, Long.MAX_VALUE));
    }

    @Test
    void byteBudgetedReadsStopEarlyButReturnAtLeastOneEntry() {
        append(entries(1, 1, 10));
        int size = entry(1, 1).getSerializedSize();
        assertEquals(1, storage.entries(1, 11, 0).size());
        assertEquals(1, storage.entries(1, 11, 1).size());
        assertEquals(1, storage.entries(1, 11, size).size());
        assertEquals(1, storage.entries(1, 11, 2L * size - 1).size());
        assertEquals(3, storage.entries(1, 11, 3L * size).size());
        assertEquals(3, storage.entries(4, 11, 4L * size - 1).size());
        assertEquals(entries(1, 4, 6), storage.entries(4, 11, 3L * size));
        assertEquals(10, storage.entries(1, 11, Long.MAX_VALUE).size());
        assertEquals(2, storage.entries(9, 11, Long.MAX_VALUE).size());
    }

    @Test
    void manyEntriesAreReadBackAfterReopen() {
        for (long i = 1; i <= 2000; i += 100) {
            append(entries(1 + i / 500, i, i + 99));
        }
        restart();
        List<Entry> got = all();
        assertEquals(2000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(entry(1 + ((i / 100) * 100 + 1) / 500, i + 1), got.get(i));
        }
        assertEquals(entry(1 + 1001 / 500, 1001), storage.entries(1001, 1002, 0).get(0));
        assertEquals(1 + 1901 / 500, storage.term(2000));
        assertEquals(1 + 1 / 500, storage.term(1));
    }

    // ---- snapshots -----------------------------------------------------------------------------------

    @Test
    void snapshotIntoAnAgreeingLogKeepsTheEntriesAfterIt() {
        append(entries(1, 1, 3));
        append(entries(2, 4, 8));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(5, 2, 1, 2, 3, 4), true));
        assertEquals(6, storage.firstIndex());
        assertEquals(8, storage.lastIndex());
        assertEquals(2, storage.term(5));
        assertEquals(entries(2, 6, 8), all());
        assertEquals(snapshotMeta(5, 2, 1, 2, 3, 4), storage.snapshot());
        assertEquals(
                snapshotMeta(5, 2, 1, 2, 3, 4).getMembership(),
                storage.initialState().membership());
        assertThrows(LogCompactedException.class, () -> storage.entries(5, 6, Long.MAX_VALUE));
    }

    @Test
    void snapshotIntoADisagreeingLogDiscardsTheWholeLog() {
        append(entries(1, 1, 8));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(5, 3, 1, 2), true));
        assertEquals(6, storage.firstIndex());
        assertEquals(5, storage.lastIndex());
        assertEquals(3, storage.term(5));
        assertEquals(List.of(), all());
        assertThrows(IndexOutOfBoundsException.class, () -> storage.term(6));
        append(entries(4, 6, 7));
        assertEquals(entries(4, 6, 7), all());
    }

    @Test
    void snapshotBeyondTheLastIndexDiscardsTheWholeLog() {
        append(entries(1, 1, 3));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(10, 2, 1), true));
        assertEquals(11, storage.firstIndex());
        assertEquals(10, storage.lastIndex());
        assertEquals(2, storage.term(10));
        assertThrows(LogCompactedException.class, () -> storage.term(3));
    }

    @Test
    void snapshotEntriesAndHardStateInOneBatchAreAppliedInOrderAndSurviveReopen() {
        append(entries(1, 1, 8));
        SnapshotMeta meta = snapshotMeta(4, 2, 1, 2);
        storage.write(new LogBatch(hardState(2, 1, 4), entries(2, 5, 6), meta, true));
        assertEquals(5, storage.firstIndex());
        assertEquals(6, storage.lastIndex());
        restart();
        assertEquals(meta, storage.snapshot());
        assertEquals(meta.getMembership(), storage.initialState().membership());
        assertEquals(hardState(2, 1, 4), storage.initialState().hardState());
        assertEquals(entries(2, 5, 6), all());
        assertEquals(2, storage.term(4));
    }

    @Test
    void olderSnapshotIsRejectedAndChangesNothing() {
        append(entries(1, 1, 8));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(5, 1, 1), true));
        assertThrows(
                StorageException.class,
                () -> storage.write(new LogBatch(hardState(9, 9, 9), List.of(), snapshotMeta(3, 1, 1), true)));
        assertEquals(6, storage.firstIndex());
        assertEquals(8, storage.lastIndex());
        assertEquals(HardState.getDefaultInstance(), storage.initialState().hardState());
    }

    @Test
    void snapshotFollowedByAGapIsRejectedAndChangesNothing() {
        append(entries(1, 1, 3));
        assertThrows(
                StorageException.class,
                () -> storage.write(new LogBatch(null, entries(2, 12, 12), snapshotMeta(10, 2, 1), true)));
        assertEquals(1, storage.firstIndex());
        assertEquals(entries(1, 1, 3), all());
        assertEquals(VOTERS, storage.initialState().membership());
    }

    // ---- compaction ----------------------------------------------------------------------------------

    /**
     * The runtime compacts behind a snapshot (keeping a trailing window) with {@link LogStorage#compact},
     * which keeps the old membership; at start-up it records the latest snapshot with a batch whose index
     * may equal the compaction point. That batch must keep the log and take the snapshot's membership.
     */
    @Test
    void snapshotAtTheCompactionPointRecordsItsMembershipAndKeepsTheLog() {
        append(entries(1, 1, 6));
        storage.compact(3);
        SnapshotMeta meta = snapshotMeta(3, 1, 1, 2);
        storage.write(new LogBatch(null, List.of(), meta, true));
        assertEquals(meta, storage.snapshot());
        assertEquals(meta.getMembership(), storage.initialState().membership());
        assertEquals(4, storage.firstIndex());
        assertEquals(entries(1, 4, 6), all());
        restart();
        assertEquals(meta, storage.snapshot());
        assertEquals(entries(1, 4, 6), all());
    }

    @Test
    void compactionMovesTheFirstIndexAndKeepsTheTermOfTheLastCompactedEntry() {
        append(entries(1, 1, 3));
        append(entries(2, 4, 6));
        storage.compact(4);
        assertEquals(5, storage.firstIndex());
        assertEquals(6, storage.lastIndex());
        assertEquals(4, storage.snapshot().getIndex());
        assertEquals(2, storage.snapshot().getTerm());
        assertEquals(2, storage.term(4));
        assertEquals(entries(2, 5, 6), all());
        assertEquals(VOTERS, storage.snapshot().getMembership());
        restart();
        assertEquals(5, storage.firstIndex());
        assertEquals(entries(2, 5, 6), all());
        append(entries(3, 7, 7));
        assertEquals(7, storage.lastIndex());
    }

    @Test
    void compactionAtOrBelowTheSnapshotIsANoOp() {
        append(entries(1, 1, 6));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(4, 1, 1), true));
        storage.compact(2);
        storage.compact(4);
        assertEquals(5, storage.firstIndex());
        assertEquals(snapshotMeta(4, 1, 1), storage.snapshot());
        assertEquals(entries(1, 5, 6), all());
    }

    @Test
    void compactingTheWholeLogLeavesAnEmptyLogAfterTheSnapshotPoint() {
        append(entries(1, 1, 3));
        storage.compact(3);
        assertEquals(4, storage.firstIndex());
        assertEquals(3, storage.lastIndex());
        assertEquals(1, storage.term(3));
        assertEquals(List.of(), all());
        append(entries(2, 4, 4));
        assertEquals(4, storage.lastIndex());
        assertThrows(StorageException.class, () -> append(entries(2, 3, 3)));
    }

    @Test
    void compactionBeyondTheLastIndexIsRejected() {
        append(entries(1, 1, 3));
        assertThrows(StorageException.class, () -> storage.compact(4));
        assertEquals(1, storage.firstIndex());
        assertEquals(entries(1, 1, 3), all());
    }

    // ---- lifecycle -----------------------------------------------------------------------------------

    @Test
    void reopenPreservesEntriesHardStateAndSnapshot() {
        append(entries(1, 1, 10));
        storage.write(new LogBatch(hardState(2, 3, 7), entries(2, 8, 12), true));
        storage.write(new LogBatch(null, List.of(), snapshotMeta(6, 1, 1, 2), true));
        restart();
        restart();
        assertEquals(7, storage.firstIndex());
        assertEquals(12, storage.lastIndex());
        assertEquals(2, storage.term(12));
        assertEquals(1, storage.term(6));
        assertEquals(hardState(2, 3, 7), storage.initialState().hardState());
        assertEquals(snapshotMeta(6, 1, 1, 2), storage.snapshot());
        List<Entry> expected = new ArrayList<>(entries(1, 7, 7));
        expected.addAll(entries(2, 8, 12));
        assertEquals(expected, all());
    }

    @Test
    void writeAfterCloseIsRejectedAndCloseIsIdempotent() {
        storage.close();
        storage.close();
        StorageException e = assertThrows(StorageException.class, () -> append(entries(1, 1, 1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    // ---- corruption: a detected loss, never a silent one ------------------------------------------------

    @Test
    void aDamagedEntryIsADetectedLossKeepingTheLogBeforeIt() {
        storage.write(new LogBatch(hardState(3, 1, 8), entries(3, 1, 10), true));
        damageAndReopen(d -> d.entry(6));
        io.raftmanager.spi.PersistentState state = storage.initialState();
        assertTrue(state.lost(), "the damage is reported");
        assertTrue(state.hardState().getRecovering(), "and the recovery recorded durably");
        assertTrue(storage.lastIndex() < 6, "the damaged entry is never served: last " + storage.lastIndex());
        assertEquals(entries(3, 1, storage.lastIndex()), all(), "what is kept is intact");
        assertTrue(state.hardState().getCommit() <= storage.lastIndex());
        restart();
        assertTrue(storage.initialState().hardState().getRecovering(), "a second restart still recovers");
    }

    @Test
    void aDamagedHardStateIsADetectedLoss() {
        storage.write(new LogBatch(hardState(3, 1, 8), entries(3, 1, 10), true));
        damageAndReopen(Damage::hardState);
        io.raftmanager.spi.PersistentState state = storage.initialState();
        assertTrue(state.lost(), "the damage is reported");
        assertTrue(state.hardState().getRecovering());
        assertTrue(state.hardState().getCommit() <= storage.lastIndex());
    }
}
