package io.raftmanager.storage.rocksdb;

import static io.raftmanager.storage.rocksdb.RocksTestSupport.hardState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.LogStorage;
import io.raftmanager.storage.memory.MemoryLogStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of appends, conflicting overwrites, snapshot installs (agreeing and not), compactions,
 * hard-state writes, invalid writes and reopens give the same observable log in {@link RocksLogStorage}
 * as in the {@link MemoryLogStorage} model: same indexes, terms, entries, snapshot, hard state, and the
 * same exception type for a rejected operation. Each int of the generated list encodes one operation.
 * {@code -Draft.rocks.propertyExamples=N} runs more examples.
 */
class RocksLogStoragePropertyTest {
    private static final Membership VOTERS =
            Membership.newBuilder().addVoters(1).build();

    @Test
    void randomOperationSequencesMatchTheMemoryModel() {
        qt().withExamples(Integer.getInteger("raft.rocks.propertyExamples", 30))
                .withShrinkCycles(200)
                .forAll(lists().of(integers().all()).ofSizeBetween(1, 40))
                .checkAssert(this::run);
    }

    private void run(List<Integer> ops) {
        Path dir;
        try {
            dir = Files.createTempDirectory("rocks-prop");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long cache = Math.floorMod(ops.hashCode(), 3) == 0 ? 0 : 250;
        RocksLogEngineConfig config = RocksLogEngineConfig.builder(dir, "prop", 1)
                .entryCacheBytesPerGroup(cache)
                .blockCacheBytes(4 << 20)
                .build();
        MemoryLogStorage model = new MemoryLogStorage(VOTERS);
        RocksLogEngine[] engine = {RocksLogEngine.open(config)};
        RocksLogStorage[] rocks = {engine[0].group(3, VOTERS)};
        long[] term = {1};
        try {
            for (int step = 0; step < ops.size(); step++) {
                int x = ops.get(step);
                int r = x >>> 4;
                String what = "step " + step + " op " + Math.floorMod(x, 9) + " r " + r;
                switch (Math.floorMod(x, 9)) {
                    case 0, 1 -> {
                        LogBatch b = new LogBatch(null, run(model.lastIndex() + 1, 1 + r % 6, term[0]), r % 3 != 0);
                        both(model, rocks[0], what, s -> s.write(b));
                    }
                    case 2 -> { // a new term overwrites from somewhere in [first, last + 1]
                        long from = model.firstIndex() + r % (model.lastIndex() - model.firstIndex() + 2);
                        term[0]++;
                        both(
                                model,
                                rocks[0],
                                what,
                                s -> s.write(
                                        new LogBatch(hardState(term[0], 1, 0), run(from, 1 + r % 4, term[0]), true)));
                    }
                    case 3 -> { // a snapshot the log agrees with
                        long first = model.firstIndex() - 1;
                        long index = first + r % (model.lastIndex() - first + 1);
                        SnapshotMeta meta = meta(index, model.term(index), r);
                        both(model, rocks[0], what, s -> s.write(new LogBatch(null, List.of(), meta, r % 2 == 0)));
                    }
                    case 4 -> { // a snapshot from a newer term, possibly beyond the log, with entries after it
                        long first = model.firstIndex() - 1;
                        long index = first + r % (model.lastIndex() - first + 4);
                        term[0]++;
                        SnapshotMeta meta = meta(index, term[0], r);
                        List<Entry> after = r % 2 == 0 ? List.of() : run(index + 1, 1 + r % 3, term[0]);
                        both(
                                model,
                                rocks[0],
                                what,
                                s -> s.write(new LogBatch(hardState(term[0], 2, index), after, meta, true)));
                    }
                    case 5 -> { // compaction, sometimes out of range
                        long upTo = model.firstIndex() - 2 + r % (model.lastIndex() - model.firstIndex() + 4);
                        both(model, rocks[0], what, s -> s.compact(upTo));
                    }
                    case 6 ->
                        both(
                                model,
                                rocks[0],
                                what,
                                s -> s.write(new LogBatch(hardState(term[0], r % 3, r % 7), List.of(), r % 2 == 0)));
                    case 7 -> { // invalid: a gap after the last index, or a snapshot older than the current one
                        if (r % 2 == 0) {
                            LogBatch gap =
                                    new LogBatch(hardState(99, 9, 9), run(model.lastIndex() + 2, 1, term[0]), true);
                            both(model, rocks[0], what, s -> s.write(gap));
                        } else if (model.snapshot().getIndex() > 0) {
                            SnapshotMeta old = meta(model.snapshot().getIndex() - 1, 1, r);
                            both(model, rocks[0], what, s -> s.write(new LogBatch(null, List.of(), old, true)));
                        }
                    }
                    default -> { // restart
                        rocks[0].close();
                        engine[0].close();
                        engine[0] = RocksLogEngine.open(config);
                        rocks[0] = engine[0].group(3, Membership.getDefaultInstance());
                    }
                }
                compare(model, rocks[0], what, r);
            }
        } finally {
            engine[0].close();
            delete(dir);
        }
    }

    /** Runs {@code op} on both; they must both succeed or both throw the same exception type. */
    private static void both(LogStorage model, LogStorage rocks, String what, Consumer<LogStorage> op) {
        Class<?> expected = outcome(model, op);
        assertEquals(expected, outcome(rocks, op), what);
    }

    private static Class<?> outcome(LogStorage s, Consumer<LogStorage> op) {
        try {
            op.accept(s);
            return null;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    private static void compare(MemoryLogStorage model, RocksLogStorage rocks, String what, int r) {
        assertEquals(model.firstIndex(), rocks.firstIndex(), what + ": first index");
        assertEquals(model.lastIndex(), rocks.lastIndex(), what + ": last index");
        assertEquals(model.snapshot(), rocks.snapshot(), what + ": snapshot");
        assertEquals(model.initialState(), rocks.initialState(), what + ": initial state");
        long first = model.firstIndex();
        long last = model.lastIndex();
        assertEquals(
                model.entries(first, last + 1, Long.MAX_VALUE), rocks.entries(first, last + 1, Long.MAX_VALUE), what);
        for (long i = Math.max(0, first - 2); i <= last + 1; i++) {
            long index = i;
            assertEquals(outcomeOrTerm(model, index), outcomeOrTerm(rocks, index), what + ": term(" + i + ")");
        }
        if (last >= first) {
            long from = first + r % (last - first + 1);
            long budget = r % 200;
            assertEquals(
                    model.entries(from, last + 1, budget), rocks.entries(from, last + 1, budget), what + ": budget");
        }
    }

    private static Object outcomeOrTerm(LogStorage s, long index) {
        try {
            return s.term(index);
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    private static List<Entry> run(long from, int n, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i < from + n; i++) {
            out.add(RocksTestSupport.entry(3, term, i, (int) (i % 40)));
        }
        return out;
    }

    private static SnapshotMeta meta(long index, long term, int r) {
        return SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(term)
                .setMembership(Membership.newBuilder().addVoters(1).addVoters(2 + r % 5))
                .build();
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
