package io.raftmanager.examples.kv.resp;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.ReadMode;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.WatchedKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** Per-connection state. Touched only on the connection's event loop (CLIENT LIST reads a few fields). */
final class Session {
    private static final AtomicLong IDS = new AtomicLong();

    /** Unique on this node (CLIENT ID); also picks the connection a follower forwards this client's writes on. */
    final long id = IDS.incrementAndGet();

    final long createdMillis = System.currentTimeMillis();
    volatile long lastCommandMillis = createdMillis;
    volatile String lastCommand = "NULL";
    volatile String remote = "?:0";
    volatile String local = "?:0";
    /** The connection's event loop (continuations that touch the session run there). */
    java.util.concurrent.Executor loop = Runnable::run;

    ReadMode readMode = ReadMode.LINEARIZABLE;
    volatile String name = "";
    volatile String libName = "";
    volatile String libVersion = "";
    /** The selected database. */
    volatile int db;
    /** The protocol version chosen with HELLO: 2 or 3. */
    volatile int proto = 2;
    /** The last request's reply slot. */
    CompletableFuture<RedisMessage> tail = CompletableFuture.completedFuture(null);
    /**
     * The reply of the request before the one being dispatched; a read waits for it, so a connection
     * reads its own writes.
     */
    CompletableFuture<RedisMessage> previous = CompletableFuture.completedFuture(null);
    /** The last read's reply; a later write waits for it, so it cannot change what the read sees. */
    CompletableFuture<RedisMessage> lastRead = CompletableFuture.completedFuture(null);
    /** The connection has closed (a blocked command stops waiting). */
    volatile boolean closed;
    /** False until AUTH succeeds when the node requires a password. */
    volatile boolean authenticated = true;
    /** Set by QUIT: close once the replies so far are written. */
    boolean closeAfterReplies;

    /** Inside MULTI: the queued commands, and whether queueing one failed (EXEC then aborts). */
    boolean inMulti;

    boolean multiDirty;
    final List<Argv> queued = new ArrayList<>();
    /** WATCHed keys (database and key) with the versions read when they were watched. */
    final Map<List<Object>, WatchedKey> watched = new LinkedHashMap<>();

    void watch(int db, ByteString key, long version) {
        watched.putIfAbsent(
                List.of(db, key),
                WatchedKey.newBuilder()
                        .setDb(db)
                        .setKey(key)
                        .setVersion(version)
                        .build());
    }

    /**
     * With several groups: the group the transaction's keys (watched or queued) are in, {@link
     * KvCommands#NO_GROUP} until one is known. A transaction runs in one group's log.
     */
    int txGroup = KvCommands.NO_GROUP;

    /** The group the requests in flight go to (they all go to one), and how many there are. */
    int route = KvCommands.NO_GROUP;

    int routeInflight;

    void resetMulti() {
        txGroup = KvCommands.NO_GROUP;
        inMulti = false;
        multiDirty = false;
        queued.clear();
        watched.clear();
    }
}
