package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.raftmanager.ReadConsistency;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.KvQuery;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active expiry: on the leader, every {@value #PERIOD_MILLIS} ms, finds keys whose expiry has passed
 * (by its own clock, in a local read) and proposes their deletion. The deletion entry carries the
 * leader's timestamp and deletes only keys expired at that time, so every replica deletes the same keys;
 * until then, reads and writes already treat expired keys as missing. One round at a time; with many
 * groups a round visits up to {@value #GROUPS_PER_ROUND} of the groups this node leads, in turn.
 */
final class ExpiryReaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryReaper.class);
    static final long PERIOD_MILLIS = 100;
    private static final int BATCH = 500;
    static final int GROUPS_PER_ROUND = 16;

    private final KvNode node;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledFuture<?> task;
    private int cursor;

    ExpiryReaper(KvNode node, ScheduledExecutorService executor) {
        this.node = node;
        this.task = executor.scheduleWithFixedDelay(this::round, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void round() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        java.util.List<Shard> shards = node.shards();
        java.util.List<java.util.concurrent.CompletableFuture<?>> reaps = new java.util.ArrayList<>();
        for (int seen = 0; seen < shards.size() && reaps.size() < GROUPS_PER_ROUND; seen++) {
            Shard s = shards.get(cursor);
            cursor = (cursor + 1) % shards.size();
            if (s.isLeader()) {
                reaps.add(reap(s));
            }
        }
        java.util.concurrent.CompletableFuture.allOf(reaps.toArray(java.util.concurrent.CompletableFuture[]::new))
                .whenComplete((ok, err) -> running.set(false));
    }

    private java.util.concurrent.CompletableFuture<?> reap(Shard shard) {
        RedisRead find = RedisRead.newBuilder()
                .addArgs(ByteString.copyFromUtf8("raftkv.expired"))
                .addArgs(ByteString.copyFromUtf8(Integer.toString(BATCH)))
                .build();
        return shard.raft()
                .read(KvQuery.newBuilder().setRedis(find).build().toByteString(), ReadConsistency.STALE)
                .thenCompose(bytes -> {
                    Reply r = parse(bytes);
                    if (!r.hasArray() || r.getArray().getItemsCount() == 0) {
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }
                    Argv.Builder reap = Argv.newBuilder().addArgs(ByteString.copyFromUtf8("raftkv.reap"));
                    for (Reply item : r.getArray().getItemsList()) {
                        reap.addArgs(
                                item.hasInteger()
                                        ? ByteString.copyFromUtf8(Long.toString(item.getInteger()))
                                        : item.getBulk());
                    }
                    RedisOps ops = RedisOps.newBuilder()
                            .setTimeMillis(System.currentTimeMillis())
                            .addCommands(reap)
                            .build();
                    return shard.propose(KvCommand.newBuilder().setRedis(ops).build());
                })
                .whenComplete((ok, err) -> {
                    if (err != null) {
                        LOG.debug("expiry round in group {} failed: {}", shard.index(), err.toString());
                    }
                });
    }

    private static Reply parse(ByteString bytes) {
        try {
            return Reply.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return Reply.getDefaultInstance();
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
