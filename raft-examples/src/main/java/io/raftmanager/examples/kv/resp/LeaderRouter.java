package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.NotLeaderException;
import io.raftmanager.examples.kv.KvCodec;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.proto.KvCommand;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a command at the leader: proposes it here when this node leads, otherwise forwards the original
 * RESP request to the leader's RESP server (its address comes from the leader's own announcement in the
 * replicated state). A forwarded request is never forwarded again, so routing cannot loop.
 */
final class LeaderRouter {
    private final KvNode node;
    private final Forwarder forwarder;

    LeaderRouter(KvNode node, Forwarder forwarder) {
        this.node = node;
        this.forwarder = forwarder;
    }

    /**
     * @param args the client's request, forwarded verbatim when this node does not lead
     * @param forwarded the request arrived forwarded from another node
     * @param write whether the command may change state (decides how an unknown outcome is reported)
     */
    CompletableFuture<RedisMessage> run(List<byte[]> args, KvCommand command, boolean forwarded, boolean write) {
        return attempt(args, command, forwarded, write, !forwarded);
    }

    private CompletableFuture<RedisMessage> attempt(
            List<byte[]> args, KvCommand command, boolean forwarded, boolean write, boolean mayReroute) {
        if (node.isLeader()) {
            // No timer per request: the connection answers -TIMEOUT for requests past the deadline.
            return node.propose(command)
                    .handle((bytes, err) -> {
                        if (err == null) {
                            return CompletableFuture.completedFuture(render(bytes));
                        }
                        if (Replies.unwrap(err) instanceof NotLeaderException && mayReroute) {
                            // Refused before entering the log: definitely not applied, safe to route again.
                            return attempt(args, command, forwarded, write, false);
                        }
                        return CompletableFuture.completedFuture(Replies.failure(err, write));
                    })
                    .thenCompose(f -> f);
        }
        if (forwarded) {
            return CompletableFuture.completedFuture(Replies.error("TRYAGAIN leader changed, retry"));
        }
        long leader = node.leader();
        if (leader == 0) {
            return CompletableFuture.completedFuture(Replies.NO_LEADER);
        }
        Optional<InetSocketAddress> address = node.redisAddressOf(leader);
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(
                    Replies.error("TRYAGAIN leader " + leader + " has not announced its address yet"));
        }
        return forwarder.forward(address.get(), args).exceptionally(e -> Replies.failure(e, write));
    }

    private static RedisMessage render(ByteString bytes) {
        return Replies.of(KvCodec.parseResult(bytes));
    }
}
