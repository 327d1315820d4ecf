package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.RedisOps;
import io.raftmanager.examples.kv.proto.RedisRead;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.WatchedKey;
import io.raftmanager.examples.kv.redis.R;
import io.raftmanager.proto.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Redis commands as the state machine applies them: time only from the entries, expiry, WATCH
 * versions, transactions, types, SCAN cursors and snapshots. Everything here is deterministic.
 */
class RedisStateMachineTest {
    /** The serving node's wall clock, set by each test; the log's time comes from the entries. */
    private final AtomicLong wall = new AtomicLong(0);

    private final KvStateMachine sm = new KvStateMachine(m -> {}, 16, wall::get);
    private long index;

    private static List<ByteString> argv(String... args) {
        List<ByteString> out = new ArrayList<>();
        for (String a : args) {
            out.add(ByteString.copyFromUtf8(a));
        }
        return out;
    }

    /** Applies one command at leader time {@code t} (milliseconds) in database {@code db}. */
    private Reply at(KvStateMachine m, long t, int db, String... args) {
        RedisOps ops = RedisOps.newBuilder()
                .setDb(db)
                .setTimeMillis(t)
                .addCommands(Argv.newBuilder().addAllArgs(argv(args)))
                .build();
        return m.applyRedis(++index, ops);
    }

    private Reply at(long t, String... args) {
        return at(sm, t, 0, args);
    }

    private Reply read(String... args) {
        return sm.queryRedis(RedisRead.newBuilder().addAllArgs(argv(args)).build());
    }

    private static Reply bulk(String s) {
        return R.bulk(s);
    }

    @Test
    void expiryIsJudgedByTheEntrysLeaderTimeNotTheReplicasClock() {
        wall.set(0); // a replica whose own clock is far behind still expires by the log's time
        assertEquals(R.OK, at(1_000, "SET", "k", "v", "PX", "100"));
        assertEquals(bulk("v"), at(1_100, "GET", "k"), "not expired at its expiry instant (Redis: now > at)");
        assertEquals(R.integer(1), at(1_100, "EXISTS", "k"));
        assertEquals(R.NIL, at(1_101, "GET", "k"));
        assertEquals(R.integer(0), at(1_101, "EXISTS", "k"));
        assertEquals(R.OK, at(1_101, "SET", "k", "w"), "an expired key is missing for writes too");
        assertEquals(R.integer(-1), at(1_102, "TTL", "k"), "a plain SET clears the old expiry");
    }

    @Test
    void anOlderLeaderTimestampNeverRevivesAnExpiredKey() {
        at(5_000, "SET", "k", "v", "PX", "10");
        assertEquals(R.NIL, at(5_011, "GET", "k"));
        // A new leader whose clock lags proposes with an older time: the store's clock does not go back.
        assertEquals(R.NIL, at(4_000, "GET", "k"));
        assertEquals(R.integer(-2), at(4_000, "PTTL", "k"));
    }

    @Test
    void aReadNeverReturnsAKeyExpiredByTheTimeItIsServed() {
        at(1_000, "SET", "k", "v", "PX", "100");
        wall.set(1_050);
        assertEquals(bulk("v"), read("GET", "k"));
        assertEquals(R.integer(50), read("PTTL", "k"));
        wall.set(1_101); // no entry applied since, yet the read is served later than the expiry
        assertEquals(R.NIL, read("GET", "k"));
        wall.set(0); // a reading node whose clock lags still never reads before the applied entries' time
        at(2_000, "SET", "other", "x");
        assertEquals(R.NIL, read("GET", "k"));
    }

    @Test
    void replicasWithDifferentClocksApplyTheSameEntriesToTheSameStateAndReplies() throws IOException {
        KvStateMachine a = new KvStateMachine(m -> {}, 16, () -> 1L);
        KvStateMachine b = new KvStateMachine(m -> {}, 16, () -> 9_999_999_999L);
        List<String[]> script = List.of(
                new String[] {"SET", "s", "1", "EX", "5"},
                new String[] {"HSET", "h", "f", "1", "g", "2"},
                new String[] {"EXPIRE", "h", "1"},
                new String[] {"SPOP", "nosuch"},
                new String[] {"SADD", "set", "a", "b", "c", "d"},
                new String[] {"SPOP", "set"},
                new String[] {"INCRBYFLOAT", "f", "1.5"},
                new String[] {"RAFTKV.REAP", "0", "h"});
        long t = 10_000;
        long saved = index;
        List<Reply> ra = new ArrayList<>();
        for (String[] c : script) {
            ra.add(at(a, t += 700, 0, c));
        }
        index = saved;
        t = 10_000;
        List<Reply> rb = new ArrayList<>();
        for (String[] c : script) {
            rb.add(at(b, t += 700, 0, c));
        }
        assertEquals(ra, rb);
        assertEquals(R.integer(1), ra.get(7), "the hash expired by the reap entry's time is deleted");
        assertArrayEquals(snapshotBytes(a), snapshotBytes(b));
    }

    @Test
    void reapDeletesOnlyKeysExpiredAtTheEntrysTime() {
        at(1_000, "SET", "gone", "1", "PX", "10");
        at(1_000, "SET", "later", "1", "PX", "10000");
        at(1_000, "SET", "forever", "1");
        assertEquals(R.integer(1), at(1_020, "RAFTKV.REAP", "0", "gone", "0", "later", "0", "forever"));
        assertEquals(R.integer(2), at(1_020, "DBSIZE"));
        wall.set(20_000);
        assertEquals(
                R.array(List.of(R.integer(0), bulk("later"))), read("RAFTKV.EXPIRED", "10"), "what the leader finds");
    }

    @Test
    void aTransactionAppliesAtomicallyAndAFailedWatchAbortsIt() {
        at(1_000, "SET", "x", "1");
        long version = read("RAFTKV.VERSIONS", "0", "x").getArray().getItems(0).getInteger();
        assertTrue(version > 0);
        RedisOps tx = RedisOps.newBuilder()
                .setTimeMillis(1_001)
                .setTransaction(true)
                .addWatches(WatchedKey.newBuilder()
                        .setKey(ByteString.copyFromUtf8("x"))
                        .setVersion(version))
                .addCommands(Argv.newBuilder().addAllArgs(argv("INCR", "x")))
                .addCommands(Argv.newBuilder().addAllArgs(argv("HSET", "x", "f", "v")))
                .addCommands(Argv.newBuilder().addAllArgs(argv("INCR", "x")))
                .build();
        Reply r = sm.applyRedis(++index, tx);
        assertEquals(
                R.array(List.of(R.integer(2), R.WRONGTYPE, R.integer(3))),
                r,
                "an error inside EXEC does not stop the other commands (no rollback, as in Redis)");
        // x changed since the watch: the same transaction now aborts and changes nothing.
        assertEquals(R.NULL_ARRAY, sm.applyRedis(++index, tx));
        assertEquals(bulk("3"), at(1_002, "GET", "x"));
    }

    @Test
    void watchSeesExpiryAndFlushAsChangesButNotAMissingKeyStayingMissing() {
        at(1_000, "SET", "e", "1", "PX", "5");
        long v = read("RAFTKV.VERSIONS", "0", "e").getArray().getItems(0).getInteger();
        RedisOps tx = RedisOps.newBuilder()
                .setTimeMillis(1_010)
                .setTransaction(true)
                .addWatches(WatchedKey.newBuilder()
                        .setKey(ByteString.copyFromUtf8("e"))
                        .setVersion(v))
                .addCommands(Argv.newBuilder().addAllArgs(argv("PING")))
                .build();
        assertEquals(R.NULL_ARRAY, sm.applyRedis(++index, tx), "the watched key expired meanwhile");
        RedisOps missing = tx.toBuilder()
                .setWatches(
                        0,
                        WatchedKey.newBuilder()
                                .setKey(ByteString.copyFromUtf8("nope"))
                                .setVersion(0))
                .build();
        at(1_011, "FLUSHALL");
        assertEquals(R.array(List.of(R.status("PONG"))), sm.applyRedis(++index, missing));
    }

    @Test
    void everyCommandRefusesTheWrongType() {
        at(1, "HSET", "h", "f", "v");
        at(1, "SET", "s", "v");
        at(1, "RPUSH", "l", "a");
        for (String[] c : List.of(
                new String[] {"GET", "h"},
                new String[] {"INCR", "h"},
                new String[] {"APPEND", "h", "x"},
                new String[] {"SETRANGE", "h", "0", "x"},
                new String[] {"GETRANGE", "h", "0", "1"},
                new String[] {"HGET", "s", "f"},
                new String[] {"HSET", "s", "f", "v"},
                new String[] {"HGETALL", "l"},
                new String[] {"HINCRBY", "s", "f", "1"},
                new String[] {"LPUSH", "s", "x"},
                new String[] {"SADD", "h", "x"},
                new String[] {"GETDEL", "l"})) {
            assertEquals(R.WRONGTYPE, at(2, c), String.join(" ", c));
        }
        assertEquals(R.status("hash"), at(3, "TYPE", "h"));
    }

    @Test
    void scanVisitsEveryKeyOnceAndItsCursorMeansTheSameOnAnotherReplica() throws IOException {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            at(1, "SET", "key:" + i, "v");
            all.add("key:" + i);
        }
        KvStateMachine other = new KvStateMachine(m -> {}, 16, wall::get);
        other.restore(SnapshotMeta.newBuilder().setIndex(index).build(), new ByteArrayInputStream(snapshotBytes(sm)));
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        boolean onOther = false;
        int pages = 0;
        do {
            RedisRead scan = RedisRead.newBuilder()
                    .addAllArgs(argv("SCAN", cursor, "COUNT", "37"))
                    .build();
            // Alternate replicas, as a client whose leader changes between pages would.
            Reply page = (onOther ? other : sm).queryRedis(scan);
            onOther = !onOther;
            cursor = page.getArray().getItems(0).getBulk().toStringUtf8();
            for (Reply k : page.getArray().getItems(1).getArray().getItemsList()) {
                assertTrue(
                        seen.add(k.getBulk().toStringUtf8()),
                        "returned twice: " + k.getBulk().toStringUtf8());
            }
            pages++;
        } while (!cursor.equals("0"));
        assertEquals(all, seen);
        assertTrue(pages > 5, "COUNT bounds the page size");
    }

    @Test
    void theSnapshotCarriesEveryDatabaseTypeExpiryVersionAndTheClock() throws IOException {
        at(1_000, "SET", "s", "v", "EX", "100");
        at(1_000, "HSET", "h", "a", "1", "b", "2");
        at(1_000, "RPUSH", "l", "x", "y", "z");
        at(1_000, "SADD", "t", "m", "n");
        at(sm, 1_000, 5, "SET", "in5", "five");
        at(9_000, "PING");
        long versionBefore =
                read("RAFTKV.VERSIONS", "0", "h").getArray().getItems(0).getInteger();
        KvStateMachine copy = new KvStateMachine(m -> {}, 16, wall::get);
        copy.restore(SnapshotMeta.newBuilder().setIndex(index).build(), new ByteArrayInputStream(snapshotBytes(sm)));
        assertArrayEquals(snapshotBytes(sm), snapshotBytes(copy));
        for (String[] q : List.of(
                new String[] {"GET", "s"},
                new String[] {"PEXPIRETIME", "s"},
                new String[] {"HGETALL", "h"},
                new String[] {"LRANGE", "l", "0", "-1"},
                new String[] {"SMEMBERS", "t"},
                new String[] {"RAFTKV.VERSIONS", "0", "h"})) {
            assertEquals(
                    read(q),
                    copy.queryRedis(RedisRead.newBuilder().addAllArgs(argv(q)).build()),
                    q[0]);
        }
        assertEquals(
                bulk("five"),
                copy.queryRedis(RedisRead.newBuilder()
                        .setDb(5)
                        .addAllArgs(argv("GET", "in5"))
                        .build()));
        assertEquals(
                versionBefore,
                copy.queryRedis(RedisRead.newBuilder()
                                .addAllArgs(argv("RAFTKV.VERSIONS", "0", "h"))
                                .build())
                        .getArray()
                        .getItems(0)
                        .getInteger());
        // The clock came along: an entry with an older time cannot make the copy see "s" as younger.
        assertEquals(R.integer(92), at(copy, 1, 0, "TTL", "s"));
    }

    @Test
    void databasesAreSeparateAndSwapdbMoveAndCopyWork() {
        at(sm, 1, 0, "SET", "k", "zero");
        at(sm, 1, 1, "SET", "k", "one");
        assertEquals(R.OK, at(sm, 1, 0, "SWAPDB", "0", "1"));
        assertEquals(bulk("one"), at(sm, 1, 0, "GET", "k"));
        assertEquals(R.integer(0), at(sm, 1, 0, "MOVE", "k", "1"), "the target has the key");
        assertEquals(R.integer(1), at(sm, 1, 0, "COPY", "k", "k", "DB", "2"));
        assertEquals(bulk("one"), at(sm, 1, 2, "GET", "k"));
        assertEquals(R.DB_RANGE, at(sm, 1, 0, "MOVE", "k", "16"));
        assertEquals(R.OK, at(sm, 1, 2, "FLUSHDB"));
        assertEquals(R.integer(0), at(sm, 1, 2, "DBSIZE"));
        assertEquals(R.integer(1), at(sm, 1, 1, "DBSIZE"));
    }

    @Test
    void entriesOfTheEarlierFormatStillApply() {
        KvCommand legacy = KvCodec.set(ByteString.copyFromUtf8("old"), ByteString.copyFromUtf8("format"));
        sm.apply(++index, legacy.toByteString());
        assertEquals(bulk("format"), read("GET", "old"));
    }

    private static byte[] snapshotBytes(KvStateMachine m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.snapshot(m.appliedIndex()).writeTo(out);
        return out.toByteArray();
    }
}
