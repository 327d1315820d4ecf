package io.raftmanager.storage.rocksdb;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.spi.LogBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Shared fixtures of this module's tests. */
final class RocksTestSupport {
    static final Membership VOTERS =
            Membership.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

    private RocksTestSupport() {}

    static RocksLogEngineConfig config(Path dir) {
        return RocksLogEngineConfig.builder(dir, "test-cluster", 1)
                .blockCacheBytes(8 << 20)
                .build();
    }

    /** An entry whose payload is derived from group, term and index, so a misplaced read shows. */
    static Entry entry(long group, long term, long index, int size) {
        byte[] data = new byte[size];
        long x = group * 0x9E3779B97F4A7C15L ^ term * 31 ^ index;
        for (int i = 0; i < size; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            data[i] = (byte) (x >>> 56);
        }
        return Entry.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFrom(data))
                .build();
    }

    static List<Entry> entries(long group, long term, long from, long toInclusive, int size) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(group, term, i, size));
        }
        return out;
    }

    static HardState hardState(long term, long vote, long commit) {
        return HardState.newBuilder()
                .setTerm(term)
                .setVote(vote)
                .setCommit(commit)
                .build();
    }

    /**
     * Writes {@code batch} as the runtime does, through {@link RocksLogStorage#writeAsync} and the
     * committer thread, if {@code async}, else with the blocking {@link RocksLogStorage#write}; throws what
     * the write reported.
     */
    static void write(RocksLogStorage s, LogBatch batch, boolean async) {
        if (!async) {
            s.write(batch);
            return;
        }
        CompletableFuture<Optional<RuntimeException>> done = new CompletableFuture<>();
        s.writeAsync(List.of(batch), (written, error) -> done.complete(Optional.ofNullable(error)));
        Optional<RuntimeException> error = done.join();
        if (error.isPresent()) {
            throw error.get();
        }
    }
}
