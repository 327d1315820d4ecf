package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.KvResult;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {
    private final KvStateMachine sm = new KvStateMachine();

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static List<ByteString> keys(String... keys) {
        return java.util.Arrays.stream(keys).map(KvStateMachineTest::b).toList();
    }

    /** Applies through the byte interface, as the node does. */
    private KvResult apply(KvCommand c) {
        return KvCodec.parseResult(sm.apply(1, c.toByteString()));
    }

    @Test
    void setGetDelExistsDbsize() {
        assertEquals("OK", apply(KvCodec.set(b("a"), b("1"))).getStatus());
        assertEquals(b("1"), sm.query(KvCodec.get(b("a"))).getBulk());
        assertTrue(sm.query(KvCodec.get(b("missing"))).getNil());
        apply(KvCodec.set(b("b"), b("2")));
        assertEquals(3, sm.query(KvCodec.exists(keys("a", "b", "c", "a"))).getInteger(), "duplicates count");
        assertEquals(2, sm.query(KvCodec.dbsize()).getInteger());
        assertEquals(1, apply(KvCodec.del(keys("a", "zz"))).getInteger());
        assertEquals(1, sm.query(KvCodec.dbsize()).getInteger());
    }

    @Test
    void incrFollowsRedisIntegerRules() {
        assertEquals(1, apply(KvCodec.incrBy(b("n"), 1)).getInteger());
        assertEquals(-9, apply(KvCodec.incrBy(b("n"), -10)).getInteger());
        assertEquals(b("-9"), sm.query(KvCodec.get(b("n"))).getBulk());
        for (String bad : List.of("abc", "1.5", " 1", "01", "+1", "-0", "", "99999999999999999999")) {
            apply(KvCodec.set(b("x"), b(bad)));
            assertEquals(
                    KvCodec.NOT_AN_INTEGER, apply(KvCodec.incrBy(b("x"), 1)).getError(), bad);
            assertEquals(b(bad), sm.query(KvCodec.get(b("x"))).getBulk(), "an error leaves the value unchanged");
        }
        apply(KvCodec.set(b("max"), b(Long.toString(Long.MAX_VALUE))));
        assertEquals(KvCodec.OVERFLOW, apply(KvCodec.incrBy(b("max"), 1)).getError());
        apply(KvCodec.set(b("min"), b(Long.toString(Long.MIN_VALUE))));
        assertEquals(Long.MIN_VALUE + 1, apply(KvCodec.incrBy(b("min"), 1)).getInteger());
    }

    @Test
    void casSwapsOnlyOnAnExactMatch() {
        assertEquals(0, apply(KvCodec.cas(b("k"), b(""), b("v"))).getInteger(), "a missing key never matches");
        assertTrue(sm.query(KvCodec.get(b("k"))).getNil());
        apply(KvCodec.set(b("k"), b("v1")));
        assertEquals(0, apply(KvCodec.cas(b("k"), b("v2"), b("v3"))).getInteger());
        assertEquals(b("v1"), sm.query(KvCodec.get(b("k"))).getBulk());
        assertEquals(1, apply(KvCodec.cas(b("k"), b("v1"), b("v3"))).getInteger());
        assertEquals(b("v3"), sm.query(KvCodec.get(b("k"))).getBulk());
    }

    @Test
    void msetAndMgetKeepOrderAndReportMissingKeys() {
        apply(KvCodec.mset(keys("a", "1", "b", "2", "a", "3")));
        List<io.raftmanager.examples.kv.proto.OptionalValue> v =
                sm.query(KvCodec.mget(keys("a", "nope", "b"))).getArray().getValuesList();
        assertEquals(b("3"), v.get(0).getValue(), "the last pair wins, as in Redis");
        assertFalse(v.get(1).getPresent());
        assertEquals(b("2"), v.get(2).getValue());
    }

    @Test
    void readsThroughTheLogAnswerLikeQueries() {
        apply(KvCodec.set(b("a"), b("1")));
        assertEquals(b("1"), apply(KvCodec.read(KvCodec.get(b("a")))).getBulk());
    }

    @Test
    void garbageIsAnErrorResultNotAnException() {
        assertTrue(KvCodec.parseResult(sm.apply(1, b("\u00ff\u00ff garbage"))).hasError());
        assertTrue(KvCodec.parseResult(sm.query(b("\u00ff\u00ff garbage"))).hasError());
    }

    @Test
    void replicasApplyingTheSameCommandsAgree() {
        KvStateMachine other = new KvStateMachine();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++) {
            ByteString key = b("k" + r.nextInt(20));
            KvCommand c = switch (r.nextInt(5)) {
                case 0 -> KvCodec.set(key, b(Integer.toString(r.nextInt(100) - 50)));
                case 1 -> KvCodec.incrBy(key, r.nextInt(7) - 3);
                case 2 -> KvCodec.del(List.of(key));
                case 3 -> KvCodec.cas(key, b(Integer.toString(r.nextInt(10))), b("x"));
                default -> KvCodec.mset(List.of(key, b("y"), b("k0"), b("1")));
            };
            ByteString a = sm.apply(i + 1, c.toByteString());
            assertEquals(a, other.apply(i + 1, c.toByteString()));
        }
        for (int k = 0; k < 20; k++) {
            assertEquals(sm.query(KvCodec.get(b("k" + k))), other.query(KvCodec.get(b("k" + k))));
        }
    }
}
