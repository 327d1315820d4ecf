package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.KvCommand;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvCodecTest {
    private static OptionalLong parse(String s) {
        return KvCodec.parseLong(ByteString.copyFromUtf8(s));
    }

    @Test
    void parsesIntegersExactlyLikeRedis() {
        assertEquals(OptionalLong.of(0), parse("0"));
        assertEquals(OptionalLong.of(-17), parse("-17"));
        assertEquals(OptionalLong.of(Long.MAX_VALUE), parse("9223372036854775807"));
        assertEquals(OptionalLong.of(Long.MIN_VALUE), parse("-9223372036854775808"));
        for (String bad : List.of(
                "",
                "-",
                "+1",
                " 1",
                "1 ",
                "01",
                "-0",
                "1e3",
                "0x10",
                "9223372036854775808",
                "-9223372036854775809",
                "١")) {
            assertTrue(parse(bad).isEmpty(), bad);
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong();
            assertEquals(OptionalLong.of(v), parse(Long.toString(v)));
        }
    }

    @Test
    void commandsRoundTrip() {
        ByteString k = ByteString.copyFromUtf8("k");
        for (KvCommand c : List.of(
                KvCodec.set(k, ByteString.copyFrom(new byte[] {0, (byte) 0xff})),
                KvCodec.del(List.of(k, k)),
                KvCodec.incrBy(k, Long.MIN_VALUE),
                KvCodec.mset(List.of(k, k)),
                KvCodec.cas(k, k, ByteString.EMPTY),
                KvCodec.read(KvCodec.mget(List.of(k))))) {
            assertEquals(c, KvCodec.parseCommand(c.toByteString()));
        }
        assertThrows(IllegalArgumentException.class, () -> KvCodec.mset(List.of(k)));
        assertThrows(IllegalArgumentException.class, () -> KvCodec.parseCommand(ByteString.copyFromUtf8("\u00ff")));
    }
}
