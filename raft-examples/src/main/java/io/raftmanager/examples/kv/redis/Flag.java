package io.raftmanager.examples.kv.redis;

/** Command flags, as COMMAND INFO reports them; WRITE, READONLY and CONNECTION also decide routing. */
public enum Flag {
    /** May change data: goes through the log. */
    WRITE,
    /** Reads data: served by a read at the connection's read mode. */
    READONLY,
    /** Answered by the connection itself, touching no data. */
    CONNECTION,
    FAST,
    DENYOOM,
    ADMIN,
    NOSCRIPT,
    LOADING,
    STALE,
    /**
     * Blocks until data arrives (BLPOP and kin): the entry itself never waits (inside MULTI it answers
     * at once, as in Redis); outside MULTI the connection repeats it until it gets data or times out.
     */
    BLOCKING,
    /** Not listed by COMMAND: raft-kv's internal commands. */
    INTERNAL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
