package io.raftmanager.examples.kv.redis;

import static io.raftmanager.examples.kv.redis.CommandTable.none;
import static io.raftmanager.examples.kv.redis.Flag.CONNECTION;
import static io.raftmanager.examples.kv.redis.Flag.INTERNAL;
import static io.raftmanager.examples.kv.redis.Flag.NOSCRIPT;
import static io.raftmanager.examples.kv.redis.Flag.READONLY;
import static io.raftmanager.examples.kv.redis.Flag.STALE;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * EVAL and its kin (run by the serving node's script runner, not by a handler) and the internal read
 * that hands a script runner a fork of the store at a linearized point.
 */
public final class ScriptCommands {
    /** Forks not yet taken; bounded, as a fork whose reader timed out is never taken. */
    private static final int MAX_FORKS = 64;

    private static final ConcurrentSkipListMap<Long, Store> FORKS = new ConcurrentSkipListMap<>();
    private static final AtomicLong TOKENS = new AtomicLong();

    private ScriptCommands() {}

    static void register(CommandTable t) {
        for (String name : List.of("eval", "evalsha", "eval_ro", "evalsha_ro")) {
            t.add(name, -3, "scripting", none(), null, CONNECTION, NOSCRIPT, STALE);
        }
        t.add("raftkv.fork", 1, "raft-kv", none(), (c, a) -> R.integer(put(c.store.fork())), READONLY, INTERNAL);
    }

    private static long put(Store fork) {
        long token = TOKENS.incrementAndGet();
        FORKS.put(token, fork);
        while (FORKS.size() > MAX_FORKS) {
            FORKS.pollFirstEntry();
        }
        return token;
    }

    /** Takes the fork a {@code RAFTKV.FORK} read answered with, or null if it was dropped. */
    public static Store take(long token) {
        return FORKS.remove(token);
    }
}
