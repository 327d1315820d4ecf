package io.raftmanager.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SnapshotStore} must meet; extend it and implement {@link #open} (and {@link
 * #reopen} for a durable store). Covers writing and reading back from any offset, atomic completion
 * (older snapshots go, open streams stay readable), received snapshots verified by size and CRC32C,
 * resuming a partial receive, and one partial snapshot at a time.
 */
public abstract class SnapshotStoreContractTest {
    protected SnapshotStore store;

    /** A new, empty store. */
    protected abstract SnapshotStore open();

    /** The same store as after a restart; by default the same instance (an in-memory store). */
    protected SnapshotStore reopen(SnapshotStore old) {
        return old;
    }

    @BeforeEach
    void setUp() {
        store = open();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    protected static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    protected static SnapshotMeta meta(long index, long term) {
        return SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setMembership(Membership.newBuilder().addVoters(1).addVoters(2))
                .build();
    }

    protected static SnapshotMeta described(long index, long term, byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return meta(index, term).toBuilder()
                .setSizeBytes(data.length)
                .setChecksum((int) crc.getValue())
                .build();
    }

    protected static SnapshotMeta write(SnapshotStore s, long index, long term, byte[] data) {
        SnapshotWriter w = s.create(meta(index, term));
        for (int off = 0; off < data.length; off += 1000) {
            w.write(data, off, Math.min(1000, data.length - off));
        }
        return w.commit();
    }

    protected static byte[] read(SnapshotStore s, SnapshotMeta m, long offset) {
        try (InputStream in = s.open(m, offset)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void emptyStoreHasNoSnapshot() {
        assertNull(store.latest());
    }

    @Test
    void committedSnapshotIsLatestWithSizeAndChecksumAndReadsBackFromAnyOffset() {
        byte[] data = bytes(150_000, 1);
        SnapshotMeta m = write(store, 10, 2, data);
        assertEquals(described(10, 2, data), m);
        assertEquals(m, store.latest());
        assertArrayEquals(data, read(store, m, 0));
        assertArrayEquals(Arrays.copyOfRange(data, 70_001, data.length), read(store, m, 70_001));
        assertEquals(0, read(store, m, data.length).length);
        store = reopen(store);
        assertEquals(m, store.latest());
        assertArrayEquals(data, read(store, m, 0));
    }

    @Test
    void emptySnapshotIsValid() {
        SnapshotMeta m = write(store, 3, 1, new byte[0]);
        assertEquals(0, m.getSizeBytes());
        assertEquals(0, read(store, m, 0).length);
    }

    @Test
    void newerSnapshotReplacesOlderButAnOpenStreamStaysReadable() throws IOException {
        byte[] a = bytes(50_000, 2);
        SnapshotMeta ma = write(store, 10, 2, a);
        try (InputStream in = store.open(ma, 0)) {
            byte[] b = bytes(20_000, 3);
            SnapshotMeta mb = write(store, 20, 3, b);
            assertEquals(mb, store.latest());
            assertThrows(StorageException.class, () -> store.open(ma, 0));
            assertArrayEquals(a, in.readAllBytes());
        }
    }

    @Test
    void abandonedLocalSnapshotLeavesTheLatestIntact() {
        byte[] a = bytes(10_000, 4);
        SnapshotMeta ma = write(store, 10, 2, a);
        SnapshotWriter w = store.create(meta(20, 2));
        w.write(bytes(5_000, 5), 0, 5_000);
        w.close();
        SnapshotWriter w2 = store.create(meta(30, 2));
        w2.write(bytes(5_000, 5), 0, 5_000);
        w2.abort();
        store = reopen(store);
        assertEquals(ma, store.latest());
        assertArrayEquals(a, read(store, ma, 0));
    }

    @Test
    void receivedSnapshotIsVerifiedAndResumesAfterItsDurableBytes() {
        byte[] data = bytes(80_000, 6);
        SnapshotMeta expected = described(40, 5, data);
        SnapshotWriter w = store.receive(expected);
        assertEquals(0, w.position());
        w.write(data, 0, 30_000);
        w.close();
        store = reopen(store);
        SnapshotWriter again = store.receive(expected);
        assertEquals(30_000, again.position());
        again.write(data, 30_000, data.length - 30_000);
        assertEquals(expected, again.commit());
        assertEquals(expected, store.latest());
        assertArrayEquals(data, read(store, expected, 0));
    }

    @Test
    void receivedSnapshotWithABadChecksumIsDiscarded() {
        byte[] data = bytes(10_000, 7);
        SnapshotMeta claimed =
                described(40, 5, data).toBuilder().setChecksum(12345).build();
        SnapshotWriter w = store.receive(claimed);
        w.write(data, 0, data.length);
        assertThrows(SnapshotChecksumException.class, w::commit);
        assertNull(store.latest());
        assertEquals(0, store.receive(claimed).position(), "the bad bytes must not be resumed");
    }

    @Test
    void receivingAnotherSnapshotDiscardsThePartialOne() {
        byte[] a = bytes(10_000, 8);
        byte[] b = bytes(12_000, 9);
        SnapshotWriter wa = store.receive(described(40, 5, a));
        wa.write(a, 0, 5_000);
        wa.close();
        SnapshotWriter wb = store.receive(described(60, 6, b));
        assertEquals(0, wb.position());
        wb.write(b, 0, b.length);
        wb.commit();
        assertEquals(0, store.receive(described(40, 5, a)).position());
    }
}
