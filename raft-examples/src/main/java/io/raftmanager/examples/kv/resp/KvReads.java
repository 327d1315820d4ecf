package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.OperationTimeoutException;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.ReadMode;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.KvQuery;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Serves read-only commands at the connection's {@link ReadMode}, after the connection's earlier
 * requests (so a client reads its own writes): STALE reads this node's state at once; LINEARIZABLE and
 * FOLLOWER confirm a read index through the leader (ReadIndex) and answer from this node once it has
 * applied that far; LEASE answers at the leader within its lease. A read whose confirmation round timed
 * out (the runtime gives up after two election timeouts) is tried again while the request's own time
 * lasts: a read changes nothing, so repeating it is safe, and a loaded machine should not turn a slow
 * round into an error.
 */
final class KvReads {
    private final KvNode node;
    private final long timeoutNanos;

    KvReads(KvNode node) {
        this.node = node;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(node.config().requestTimeoutMillis());
    }

    /** Reads with the session's database and read mode; completes with the decoded reply. */
    CompletableFuture<Reply> reply(Session session, RedisRead read) {
        return reply(session, read, session.previous, node.shards().get(0));
    }

    /** As {@link #reply(Session, RedisRead)}, in group {@code shard}. */
    CompletableFuture<Reply> reply(Session session, RedisRead read, Shard shard) {
        return reply(session, read, session.previous, shard);
    }

    /** Reads with the session's database and read mode once {@code after} has completed (either way). */
    CompletableFuture<Reply> reply(Session session, RedisRead read, CompletableFuture<?> after) {
        return reply(session, read, after, node.shards().get(0));
    }

    /** As {@link #reply(Session, RedisRead, CompletableFuture)}, in group {@code shard}. */
    CompletableFuture<Reply> reply(Session session, RedisRead read, CompletableFuture<?> after, Shard shard) {
        ReadMode mode = session.readMode;
        KvQuery query = KvQuery.newBuilder().setRedis(read).build();
        return after.handle((r, e) -> null)
                .thenCompose(ignored -> attempt(shard, query, mode, System.nanoTime() + timeoutNanos))
                .thenApply(bytes -> {
                    try {
                        return Reply.parseFrom(bytes);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException("malformed read reply", e);
                    }
                });
    }

    /** Reads this node's own state at once (no read index): for polling, never for an answer. */
    CompletableFuture<Reply> local(RedisRead read, Shard shard) {
        KvQuery query = KvQuery.newBuilder().setRedis(read).build();
        return shard.raft()
                .read(query.toByteString(), ReadMode.STALE.consistency())
                .thenApply(bytes -> {
                    try {
                        return Reply.parseFrom(bytes);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException("malformed read reply", e);
                    }
                });
    }

    CompletableFuture<RedisMessage> read(Session session, RedisRead read) {
        return reply(session, read).handle((r, err) -> err == null ? new ReplyMessage(r) : Replies.failure(err, false));
    }

    private CompletableFuture<ByteString> attempt(Shard shard, KvQuery query, ReadMode mode, long deadlineNanos) {
        return shard.raft()
                .read(query.toByteString(), mode.consistency())
                .handle((bytes, err) -> {
                    if (err == null) {
                        return CompletableFuture.completedFuture(bytes);
                    }
                    if (Replies.unwrap(err) instanceof OperationTimeoutException
                            && System.nanoTime() - deadlineNanos < 0) {
                        return attempt(shard, query, mode, deadlineNanos);
                    }
                    return CompletableFuture.<ByteString>failedFuture(err);
                })
                .thenCompose(f -> f);
    }
}
