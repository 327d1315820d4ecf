package io.raftmanager.core.log;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.raftmanager.storage.memory.MemoryLogStorage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random operation sequences on a {@link RaftLog} over a {@link MemoryLogStorage}, compared after every step
 * with a model that is a plain list of terms plus commit/apply/persist counters. Persistence is
 * asynchronous: handed-out batches are written and acknowledged later, possibly after the log moved on.
 */
class RaftLogPropertyTest {
    enum Kind {
        APPEND,
        APPEND_INVALID,
        COMMIT,
        TAKE_TO_PERSIST,
        FLUSH,
        TAKE_TO_APPLY,
        APPLIED,
        COMPACT,
        TERM,
        SLICE,
        FIND_CONFLICT_BY_TERM,
        MATCH_TERM,
        MAYBE_APPEND
    }

    /** One operation; a, b, c are raw choices interpreted relative to the current state. */
    record Op(Kind kind, int a, int b, int c) {}

    @Test
    void raftLogBehavesLikeAListOfTerms() {
        int[] weights = {4, 1, 3, 3, 3, 2, 2, 1, 1, 2, 1, 1, 3}; // per Kind, in declaration order
        List<Kind> weighted = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (int i = 0; i < weights[k.ordinal()]; i++) {
                weighted.add(k);
            }
        }
        var kinds = integers().between(0, weighted.size() - 1).map(weighted::get);
        var op = kinds.zip(
                integers().between(0, 999),
                integers().between(0, 999),
                integers().between(0, 999),
                Op::new);
        qt().withExamples(1_000)
                .forAll(lists().of(op).ofSizeBetween(1, 100))
                .checkAssert(ops -> new RaftLogModel().run(ops));
    }
}
