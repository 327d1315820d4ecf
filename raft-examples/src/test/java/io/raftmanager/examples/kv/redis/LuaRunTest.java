package io.raftmanager.examples.kv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.WatchedKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One script run against a fork: its reply, the effects it logs and the versions it depends on. */
class LuaRunTest {
    private static final long NOW = 1_000_000;
    private final Store store = new Store(16);

    private Reply write(long index, String... argv) {
        return CommandTable.get().run(new Ctx(store, 0, NOW, index), bytes(argv));
    }

    private static List<ByteString> bytes(String... s) {
        List<ByteString> out = new ArrayList<>();
        for (String x : s) {
            out.add(ByteString.copyFromUtf8(x));
        }
        return out;
    }

    private LuaRun.Outcome eval(String script, List<String> keys, boolean readOnly) throws Exception {
        return LuaRun.run(
                store.fork(),
                0,
                NOW,
                LuaRun.compile(ByteString.copyFromUtf8(script)),
                bytes(keys.toArray(String[]::new)),
                List.of(),
                readOnly,
                () -> false);
    }

    @Test
    void aScriptReadsItsOwnWritesAndLogsItsWritesWithTheVersionsItSaw() throws Exception {
        write(5, "SET", "k", "1");
        LuaRun.Outcome o = eval(
                "local v = redis.call('incr', KEYS[1]) redis.call('set', KEYS[2], v) "
                        + "return {v, redis.call('get', KEYS[2]), redis.call('exists', KEYS[1])}",
                List.of("k", "k2"),
                false);
        assertEquals(R.array(List.of(R.integer(2), R.bulk("2"), R.ONE)), o.reply());
        assertEquals(
                List.of(
                        Argv.newBuilder().addAllArgs(bytes("incr", "k")).build(),
                        Argv.newBuilder().addAllArgs(bytes("set", "k2", "2")).build()),
                o.effects());
        assertEquals(
                List.of(watch("k", 5), watch("k2", 0)),
                o.watches(),
                "k was written at index 5; k2 was missing (0), even though the script created it");
        assertEquals(
                R.bulk("1"),
                CommandTable.get().run(new Ctx(store, 0, NOW, 0), bytes("GET", "k")),
                "the store itself is untouched: only the log entry may change it");
    }

    private static WatchedKey watch(String key, long version) {
        return WatchedKey.newBuilder()
                .setDb(0)
                .setKey(ByteString.copyFromUtf8(key))
                .setVersion(version)
                .build();
    }

    @Test
    void whatSpopPickedIsLoggedAsAnSremSoEveryReplicaRemovesTheSameMember() throws Exception {
        write(3, "SADD", "s", "a", "b", "c");
        LuaRun.Outcome o = eval("return redis.call('spop', KEYS[1])", List.of("s"), false);
        ByteString popped = o.reply().getBulk();
        assertEquals(
                List.of(Argv.newBuilder()
                        .addAllArgs(List.of(ByteString.copyFromUtf8("SREM"), ByteString.copyFromUtf8("s"), popped))
                        .build()),
                o.effects());
    }

    @Test
    void errorsRaiseInCallComeBackFromPcallAndReadsWithoutKeysAreRefused() throws Exception {
        write(2, "SET", "str", "x");
        Reply raised = eval("redis.call('hget', KEYS[1], 'f') return 'not reached'", List.of("str"), false)
                .reply();
        assertEquals(R.WRONGTYPE, raised);
        Reply caught = eval("local r = redis.pcall('hget', KEYS[1], 'f') return r['err']", List.of("str"), false)
                .reply();
        assertEquals(R.bulk("WRONGTYPE Operation against a key holding the wrong kind of value"), caught);
        assertTrue(R.isError(
                eval("return redis.call('keys', '*')", List.of(), false).reply()));
        LuaRun.Outcome ro = eval("return redis.call('set', KEYS[1], 'v')", List.of("k"), true);
        assertEquals(R.error("ERR Write commands are not allowed from read-only scripts."), ro.reply());
        assertEquals(List.of(), ro.effects());
    }

    @Test
    void luaValuesConvertAsInRedis() throws Exception {
        assertEquals(R.ONE, eval("return true", List.of(), false).reply());
        assertEquals(R.NIL, eval("return false", List.of(), false).reply());
        assertEquals(R.integer(3), eval("return 3.99", List.of(), false).reply());
        assertEquals(
                R.status("fine"),
                eval("return redis.status_reply('fine')", List.of(), false).reply());
        assertEquals(
                R.error("MY bad"),
                eval("return redis.error_reply('MY bad')", List.of(), false).reply());
        assertEquals(
                R.array(List.of(R.integer(1), R.array(List.of(R.bulk("x"))))),
                eval("return {1, {'x'}, nil, 4}", List.of(), false).reply(),
                "an array stops at the first nil");
    }

    @Test
    void theSandboxHasNoFilesProcessesOrJava() throws Exception {
        assertEquals(
                R.bulk("nil nil nil nil nil nil"),
                eval(
                                "return type(os)..' '..type(io)..' '..type(luajava)..' '..type(require)..' '..type(debug)"
                                        + "..' '..type(dofile)",
                                List.of(),
                                false)
                        .reply());
    }

    @Test
    void scriptKillStopsEvenALoopThatCatchesErrors() throws Exception {
        var code = LuaRun.compile(ByteString.copyFromUtf8("while true do pcall(function() end) end"));
        assertThrows(
                LuaRun.Killed.class,
                () -> LuaRun.run(store.fork(), 0, NOW, code, List.of(), List.of(), false, () -> true));
    }

    @Test
    void aCompileErrorIsReportedAsRedisDoes() {
        LuaRun.CompileError e =
                assertThrows(LuaRun.CompileError.class, () -> LuaRun.compile(ByteString.copyFromUtf8("return (")));
        assertTrue(e.getMessage().startsWith("ERR Error compiling script"), e.getMessage());
    }
}
