package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvCodec;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.ReadMode;
import io.raftmanager.examples.kv.proto.KvQuery;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Serves GET/MGET/EXISTS/DBSIZE at the connection's {@link ReadMode}, after the connection's earlier
 * requests (so a client reads its own writes): STALE reads this node's state at once; LINEARIZABLE and
 * FOLLOWER confirm a read index through the leader (ReadIndex) and answer from this node once it has
 * applied that far; LEASE answers at the leader within its lease.
 */
final class KvReads {
    private final KvNode node;

    KvReads(KvNode node) {
        this.node = node;
    }

    CompletableFuture<RedisMessage> read(Session session, List<byte[]> args, KvQuery query, boolean forwarded) {
        ReadMode mode = forwarded ? ReadMode.LINEARIZABLE : session.readMode;
        return session.tail
                .handle((r, e) -> null)
                .thenCompose(ignored -> node.raft().read(query.toByteString(), mode.consistency()))
                .handle((bytes, err) ->
                        err == null ? Replies.of(KvCodec.parseResult(bytes)) : Replies.failure(err, false));
    }
}
