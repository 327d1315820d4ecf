package io.raftmanager.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class InflightsPropertyTest {
    @Test
    void fullWhenCountReachesCapacity() {
        Inflights in = new Inflights(3, Long.MAX_VALUE);
        in.add(1, 10);
        in.add(2, 10);
        assertFalse(in.isFull());
        in.add(3, 10);
        assertTrue(in.isFull());
        assertEquals(3, in.count());
        assertEquals(30, in.bytes());
        assertThrows(IllegalStateException.class, () -> in.add(4, 1));
    }

    @Test
    void fullWhenBytesReachTheLimitEvenBelowCapacity() {
        Inflights in = new Inflights(10, 100);
        in.add(1, 60);
        assertFalse(in.isFull());
        in.add(2, 40);
        assertTrue(in.isFull(), "bytes == maxBytes is full");
        in.freeLE(1);
        assertFalse(in.isFull());
        in.add(3, 500); // one message may overshoot the byte budget
        assertTrue(in.isFull());
        assertEquals(540, in.bytes());
    }

    @Test
    void freeLeReleasesEveryMessageUpToTheIndex() {
        Inflights in = new Inflights(5, Long.MAX_VALUE);
        in.add(3, 1);
        in.add(5, 2);
        in.add(9, 4);
        in.freeLE(2);
        assertEquals(3, in.count());
        in.freeLE(6);
        assertEquals(1, in.count());
        assertEquals(4, in.bytes());
        in.freeLE(100);
        assertEquals(0, in.count());
        assertEquals(0, in.bytes());
    }

    @Test
    void freeFirstOneReleasesOnlyTheOldestMessage() {
        Inflights in = new Inflights(2, Long.MAX_VALUE);
        in.freeFirstOne(); // empty: no-op
        in.add(4, 7);
        in.add(8, 9);
        assertTrue(in.isFull());
        in.freeFirstOne();
        assertFalse(in.isFull());
        assertEquals(1, in.count());
        assertEquals(9, in.bytes());
    }

    @Test
    void ringBufferWrapsAround() {
        Inflights in = new Inflights(3, Long.MAX_VALUE);
        for (long i = 1; i <= 100; i++) {
            in.add(i, i);
            if (in.isFull()) {
                in.freeLE(i - 1);
                assertEquals(1, in.count());
                assertEquals(i, in.bytes());
            }
        }
        in.reset();
        assertEquals(0, in.count());
        assertEquals(0, in.bytes());
    }

    /** An operation: 0 add (size a), 1 freeLE (offset a from the oldest), 2 freeFirstOne, 3 reset. */
    private record Op(int kind, int a) {}

    @Test
    void behavesLikeABoundedQueue() {
        qt().withExamples(1_000)
                .forAll(
                        integers().between(1, 6),
                        integers().between(1, 64),
                        lists().of(integers().between(0, 3).zip(integers().between(0, 40), Op::new))
                                .ofSizeBetween(0, 60))
                .checkAssert((capacity, maxBytes, ops) -> run(capacity, maxBytes, ops));
    }

    private static void run(int capacity, long maxBytes, List<Op> ops) {
        Inflights in = new Inflights(capacity, maxBytes);
        ArrayDeque<long[]> model = new ArrayDeque<>();
        long nextIndex = 1;
        for (Op op : ops) {
            long modelBytes = model.stream().mapToLong(m -> m[1]).sum();
            boolean full = model.size() == capacity || modelBytes >= maxBytes;
            assertEquals(full, in.isFull());
            switch (op.kind()) {
                case 0 -> {
                    if (full) {
                        assertThrows(IllegalStateException.class, () -> in.add(99, 1));
                    } else {
                        nextIndex += 1 + op.a() % 3;
                        in.add(nextIndex, op.a());
                        model.addLast(new long[] {nextIndex, op.a()});
                    }
                }
                case 1 -> {
                    long upTo = (model.isEmpty() ? nextIndex : model.peekFirst()[0]) + op.a() % 8 - 1;
                    in.freeLE(upTo);
                    while (!model.isEmpty() && model.peekFirst()[0] <= upTo) {
                        model.removeFirst();
                    }
                }
                case 2 -> {
                    in.freeFirstOne();
                    model.pollFirst();
                }
                default -> {
                    in.reset();
                    model.clear();
                }
            }
            assertEquals(model.size(), in.count());
            assertEquals(model.stream().mapToLong(m -> m[1]).sum(), in.bytes());
        }
    }
}
