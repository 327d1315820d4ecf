package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.ReadMode;
import java.util.concurrent.CompletableFuture;

/** Per-connection state. Touched only on the connection's event loop. */
final class Session {
    ReadMode readMode = ReadMode.LINEARIZABLE;
    String name = "";
    /** The last request's reply; a stale read waits for it so a connection reads its own writes. */
    CompletableFuture<RedisMessage> tail = CompletableFuture.completedFuture(null);
    /** The last read's reply; a later write waits for it, so it cannot change what the read sees. */
    CompletableFuture<RedisMessage> lastRead = CompletableFuture.completedFuture(null);
    /** Set by QUIT: close once the replies so far are written. */
    boolean closeAfterReplies;
}
