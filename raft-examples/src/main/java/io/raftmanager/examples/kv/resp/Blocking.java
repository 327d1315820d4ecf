package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX outside MULTI. The log entry never waits (it takes
 * what is there or answers nil), so the wait happens here: after an empty answer the connection watches
 * this node's own copy of the keys (a local read every few milliseconds, no log entry and no network)
 * and proposes the command again once one holds data, until the command's timeout (0: for ever, or
 * until the client goes away). Another client may take the data first; then it simply waits again.
 * Clients blocked on the same key are not served in arrival order as Redis serves them.
 */
final class Blocking {
    private static final long POLL_MILLIS = 10;

    private final LeaderRouter router;
    private final KvReads reads;

    Blocking(LeaderRouter router, KvReads reads) {
        this.router = router;
        this.reads = reads;
    }

    /**
     * Runs a blocking command in group {@code shard} (its keys' group); {@code argv} has its name first and
     * its timeout (seconds) last.
     */
    CompletableFuture<RedisMessage> run(Session s, String name, List<ByteString> argv, Shard shard) {
        Double seconds = parseSeconds(argv.get(argv.size() - 1));
        RedisOps ops = RedisOps.newBuilder()
                .setDb(s.db)
                .addCommands(io.raftmanager.examples.kv.proto.Argv.newBuilder().addAllArgs(argv))
                .build();
        if (seconds == null) {
            return router.run(ops, s.id, false, shard); // the entry answers the timeout error
        }
        long deadline = seconds == 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        RedisRead.Builder probe = RedisRead.newBuilder().setDb(s.db).addArgs(ByteString.copyFromUtf8("exists"));
        if (name.equals("blmove") || name.equals("brpoplpush")) {
            probe.addArgs(argv.get(1));
        } else {
            probe.addAllArgs(argv.subList(1, argv.size() - 1));
        }
        return attempt(s, ops, probe.build(), deadline, shard);
    }

    private CompletableFuture<RedisMessage> attempt(
            Session s, RedisOps ops, RedisRead probe, long deadline, Shard shard) {
        return router.run(ops, s.id, false, shard).thenCompose(m -> {
            if (!empty(m) || s.closed || expired(deadline)) {
                return CompletableFuture.completedFuture(m);
            }
            CompletableFuture<Boolean> ready = new CompletableFuture<>();
            poll(s, probe, deadline, ready, shard);
            return ready.thenCompose(
                    data -> data ? attempt(s, ops, probe, deadline, shard) : CompletableFuture.completedFuture(m));
        });
    }

    /** Completes {@code ready} with true once a key holds data, false once the wait is over. */
    private void poll(Session s, RedisRead probe, long deadline, CompletableFuture<Boolean> ready, Shard shard) {
        if (s.closed || expired(deadline)) {
            ready.complete(false);
            return;
        }
        CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS, s.loop)
                .execute(() -> reads.local(probe, shard).whenComplete((r, err) -> {
                    if (err == null && r.hasInteger() && r.getInteger() > 0) {
                        ready.complete(true);
                    } else {
                        poll(s, probe, deadline, ready, shard);
                    }
                }));
    }

    private static boolean expired(long deadline) {
        return deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0;
    }

    private static boolean empty(RedisMessage m) {
        if (!(m instanceof ReplyMessage)) {
            return false;
        }
        Reply r = ((ReplyMessage) m).reply();
        return r.getNil() || r.getNullArray();
    }

    private static Double parseSeconds(ByteString b) {
        try {
            double d = Double.parseDouble(b.toStringUtf8());
            return d < 0 || Double.isNaN(d) || Double.isInfinite(d) ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
