package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.NotLeaderException;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.Shard;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.Reply;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a write at the leader: proposes it here when this node leads (stamped with this node's clock,
 * the only time the state machine sees), otherwise forwards it to the leader's RESP server (its address
 * comes from the leader's own announcement in the replicated state) on the connection assigned to the
 * client, so one client's writes enter the log in the order it sent them. A forwarded request is never
 * forwarded again, so routing cannot loop.
 */
final class LeaderRouter {
    private final KvNode node;
    private final Forwarder forwarder;

    LeaderRouter(KvNode node, Forwarder forwarder) {
        this.node = node;
        this.forwarder = forwarder;
    }

    /**
     * @param ops the commands, without a timestamp (the proposing leader adds it)
     * @param client the client connection's id (which forwarding connection carries it)
     * @param forwarded the request arrived forwarded from another node: answer the raw reply bytes
     */
    CompletableFuture<RedisMessage> run(RedisOps ops, long client, boolean forwarded) {
        return run(ops, client, forwarded, node.shards().get(0));
    }

    /** As {@link #run(RedisOps, long, boolean)}, in group {@code shard} (its keys' group). */
    CompletableFuture<RedisMessage> run(RedisOps ops, long client, boolean forwarded, Shard shard) {
        return attempt(ops, client, forwarded, !forwarded, shard);
    }

    private CompletableFuture<RedisMessage> attempt(
            RedisOps ops, long client, boolean forwarded, boolean mayReroute, Shard shard) {
        if (shard.isLeader()) {
            RedisOps stamped =
                    ops.toBuilder().setTimeMillis(System.currentTimeMillis()).build();
            // No timer per request: the connection answers -TIMEOUT for requests past the deadline.
            return shard.propose(KvCommand.newBuilder().setRedis(stamped).build())
                    .handle((bytes, err) -> {
                        if (err == null) {
                            return CompletableFuture.completedFuture(forwarded ? rawReply(bytes) : decode(bytes));
                        }
                        if (Replies.unwrap(err) instanceof NotLeaderException && mayReroute) {
                            // Refused before entering the log: definitely not applied, safe to route again.
                            return attempt(ops, client, forwarded, false, shard);
                        }
                        return CompletableFuture.completedFuture(Replies.failure(err, true));
                    })
                    .thenCompose(f -> f);
        }
        if (forwarded) {
            return CompletableFuture.completedFuture(Replies.error("TRYAGAIN leader changed, retry"));
        }
        long leader = shard.leader();
        if (leader == 0) {
            return CompletableFuture.completedFuture(Replies.NO_LEADER);
        }
        Optional<InetSocketAddress> address = node.redisAddressOf(shard, leader);
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(
                    Replies.error("TRYAGAIN leader " + leader + " has not announced its address yet"));
        }
        // The group rides along only when there are several, so a one-group node speaks as before.
        List<byte[]> request = node.shards().size() == 1
                ? List.of(Forwarder.FORWARD_COMMAND.getBytes(StandardCharsets.US_ASCII), ops.toByteArray())
                : List.of(
                        Forwarder.FORWARD_COMMAND.getBytes(StandardCharsets.US_ASCII),
                        ops.toByteArray(),
                        Integer.toString(shard.index()).getBytes(StandardCharsets.US_ASCII));
        return forwarder
                .forward(address.get(), client, request)
                .thenApply(LeaderRouter::fromLeader)
                .exceptionally(e -> Replies.failure(e, true));
    }

    /** The leader's answer to a forwarded request: the reply's bytes, or an error of its own. */
    private static RedisMessage fromLeader(RedisMessage m) {
        if (m instanceof FullBulkStringRedisMessage && !((FullBulkStringRedisMessage) m).isNull()) {
            try {
                return new ReplyMessage(Reply.parseFrom(
                        io.netty.buffer.ByteBufUtil.getBytes(((FullBulkStringRedisMessage) m).content())));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return Replies.error("ERR malformed reply from the leader");
            }
        }
        return m instanceof ErrorRedisMessage ? m : Replies.error("ERR unexpected reply from the leader");
    }

    static RedisMessage decode(ByteString bytes) {
        try {
            return new ReplyMessage(Reply.parseFrom(bytes));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return Replies.error("ERR malformed reply");
        }
    }

    private static RedisMessage rawReply(ByteString bytes) {
        return Replies.bulk(bytes.toByteArray());
    }
}
