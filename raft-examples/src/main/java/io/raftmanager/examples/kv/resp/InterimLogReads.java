package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.KvCodec;
import io.raftmanager.examples.kv.proto.KvQuery;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * INTERIM: linearizable reads through the log, until {@code RaftNode.read(LINEARIZABLE)} (ReadIndex) is
 * built. The query is proposed as a {@code KvCommand.read} entry at the leader (forwarded there from a
 * follower) and answered by the state machine when the entry applies, which makes it linearizable at the
 * price of a log write per read. Delete this class when ReadIndex lands; {@link KvReads} is the only caller.
 */
final class InterimLogReads {
    private final LeaderRouter router;

    InterimLogReads(LeaderRouter router) {
        this.router = router;
    }

    CompletableFuture<RedisMessage> read(List<byte[]> args, KvQuery query, boolean forwarded) {
        return router.run(args, KvCodec.read(query), forwarded, false);
    }
}
