package io.raftmanager.storage.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogCompactedException;
import io.raftmanager.spi.StorageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLogStorageTest {
    private static Entry entry(long term, long index) {
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("e" + term + "/" + index + "-payload"))
                .build();
    }

    private static List<Entry> entries(long term, long from, long toInclusive) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(term, i));
        }
        return out;
    }

    private static void append(MemoryLogStorage s, List<Entry> es) {
        s.write(new LogBatch(null, es, true));
    }

    private static List<Long> terms(List<Entry> es) {
        return es.stream().map(Entry::getTerm).toList();
    }

    @Test
    void emptyLogHasFirstIndexOneAndLastIndexZero() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1, 2, 3);
        assertEquals(1, s.firstIndex());
        assertEquals(0, s.lastIndex());
        assertEquals(0, s.term(0));
        assertEquals(List.of(), s.entries(1, 1, 100));
        assertEquals(HardState.getDefaultInstance(), s.initialState().hardState());
        assertEquals(List.of(1L, 2L, 3L), s.initialState().membership().getVotersList());
        assertEquals(0, s.snapshot().getIndex());
    }

    @Test
    void appendedEntriesAreReadBackWithTheirTerms() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 3));
        append(s, entries(2, 4, 5));
        assertEquals(1, s.firstIndex());
        assertEquals(5, s.lastIndex());
        assertEquals(1, s.term(3));
        assertEquals(2, s.term(4));
        assertEquals(entries(1, 2, 3), s.entries(2, 4, Long.MAX_VALUE));
        assertEquals(List.of(1L, 1L, 1L, 2L, 2L), terms(s.entries(1, 6, Long.MAX_VALUE)));
    }

    @Test
    void writeAtEarlierIndexTruncatesTheSuffix() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 5));
        append(s, entries(3, 3, 3));
        assertEquals(3, s.lastIndex());
        assertEquals(List.of(1L, 1L, 3L), terms(s.entries(1, 4, Long.MAX_VALUE)));
        assertThrows(IndexOutOfBoundsException.class, () -> s.term(4));
    }

    @Test
    void writeLeavingAGapIsRejected() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 2));
        assertThrows(StorageException.class, () -> append(s, entries(1, 4, 4)));
        assertEquals(2, s.lastIndex());
    }

    @Test
    void hardStateIsKeptUnlessTheBatchCarriesANewOne() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        HardState hs = HardState.newBuilder().setTerm(3).setVote(1).setCommit(0).build();
        s.write(new LogBatch(hs, List.of(), true));
        append(s, entries(3, 1, 1));
        assertEquals(hs, s.initialState().hardState());
    }

    @Test
    void byteLimitedEntriesStopEarlyButReturnAtLeastOne() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 10));
        int size = entry(1, 1).getSerializedSize();
        assertEquals(1, s.entries(1, 11, 0).size());
        assertEquals(1, s.entries(1, 11, 1).size());
        assertEquals(1, s.entries(1, 11, size).size());
        assertEquals(3, s.entries(1, 11, 3L * size).size());
        assertEquals(3, s.entries(1, 11, 4L * size - 1).size());
        assertEquals(10, s.entries(1, 11, Long.MAX_VALUE).size());
    }

    @Test
    void compactMovesFirstIndexAndKeepsTheTermOfTheCompactedEntry() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 3));
        append(s, entries(2, 4, 6));
        s.compact(4);
        assertEquals(5, s.firstIndex());
        assertEquals(6, s.lastIndex());
        assertEquals(4, s.snapshot().getIndex());
        assertEquals(2, s.snapshot().getTerm());
        assertEquals(2, s.term(4));
        assertEquals(entries(2, 5, 6), s.entries(5, 7, Long.MAX_VALUE));
        assertEquals(Membership.newBuilder().addVoters(1).build(), s.snapshot().getMembership());
        s.compact(2); // already compacted: no-op
        assertEquals(5, s.firstIndex());
    }

    @Test
    void compactedAccessThrowsLogCompactedException() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 6));
        s.compact(4);
        assertThrows(LogCompactedException.class, () -> s.term(3));
        assertThrows(LogCompactedException.class, () -> s.entries(4, 6, Long.MAX_VALUE));
        assertThrows(LogCompactedException.class, () -> s.entries(1, 2, Long.MAX_VALUE));
        assertThrows(StorageException.class, () -> append(s, entries(1, 4, 4)));
    }

    @Test
    void compactingTheWholeLogLeavesAnEmptyLogAfterTheSnapshot() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 3));
        s.compact(3);
        assertEquals(4, s.firstIndex());
        assertEquals(3, s.lastIndex());
        assertEquals(1, s.term(3));
        append(s, entries(2, 4, 4));
        assertEquals(4, s.lastIndex());
    }

    @Test
    void compactBeyondLastIndexIsRejected() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 3));
        assertThrows(StorageException.class, () -> s.compact(4));
        assertEquals(1, s.firstIndex());
    }

    @Test
    void outOfRangeAccessThrowsIndexOutOfBounds() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        append(s, entries(1, 1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> s.term(4));
        assertThrows(IndexOutOfBoundsException.class, () -> s.entries(2, 5, Long.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> s.entries(3, 2, Long.MAX_VALUE));
    }

    @Test
    void writeAfterCloseIsRejected() {
        MemoryLogStorage s = MemoryLogStorage.withVoters(1);
        s.close();
        s.close();
        StorageException e = assertThrows(StorageException.class, () -> append(s, entries(1, 1, 1)));
        assertTrue(e.getMessage().contains("closed"));
    }
}
