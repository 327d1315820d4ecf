package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.examples.kv.proto.Cas;
import io.raftmanager.examples.kv.proto.DbSize;
import io.raftmanager.examples.kv.proto.Del;
import io.raftmanager.examples.kv.proto.Exists;
import io.raftmanager.examples.kv.proto.Get;
import io.raftmanager.examples.kv.proto.IncrBy;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.KvQuery;
import io.raftmanager.examples.kv.proto.KvResult;
import io.raftmanager.examples.kv.proto.MGet;
import io.raftmanager.examples.kv.proto.MSet;
import io.raftmanager.examples.kv.proto.Set;
import java.util.List;
import java.util.OptionalLong;

/**
 * Builds and parses the KV store's protobuf messages ({@code kv.proto}), and parses integers exactly as
 * Redis does. Stateless.
 */
public final class KvCodec {
    /** Redis' reply when a value or an argument is not a 64-bit base-10 integer. */
    public static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

    public static final String OVERFLOW = "ERR increment or decrement would overflow";

    private KvCodec() {}

    public static KvCommand set(ByteString key, ByteString value) {
        return KvCommand.newBuilder()
                .setSet(Set.newBuilder().setKey(key).setValue(value))
                .build();
    }

    public static KvCommand del(List<ByteString> keys) {
        return KvCommand.newBuilder().setDel(Del.newBuilder().addAllKeys(keys)).build();
    }

    public static KvCommand incrBy(ByteString key, long delta) {
        return KvCommand.newBuilder()
                .setIncrBy(IncrBy.newBuilder().setKey(key).setDelta(delta))
                .build();
    }

    /** {@code keysAndValues} alternates key, value; its size must be even and non-zero. */
    public static KvCommand mset(List<ByteString> keysAndValues) {
        if (keysAndValues.isEmpty() || keysAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException("MSET needs key/value pairs");
        }
        MSet.Builder m = MSet.newBuilder();
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            m.addKeys(keysAndValues.get(i)).addValues(keysAndValues.get(i + 1));
        }
        return KvCommand.newBuilder().setMset(m).build();
    }

    public static KvCommand cas(ByteString key, ByteString expected, ByteString value) {
        return KvCommand.newBuilder()
                .setCas(Cas.newBuilder().setKey(key).setExpected(expected).setValue(value))
                .build();
    }

    /** A query carried through the log (earlier builds' reads; reads now use ReadIndex). */
    public static KvCommand read(KvQuery query) {
        return KvCommand.newBuilder().setRead(query).build();
    }

    public static KvQuery get(ByteString key) {
        return KvQuery.newBuilder().setGet(Get.newBuilder().setKey(key)).build();
    }

    public static KvQuery mget(List<ByteString> keys) {
        return KvQuery.newBuilder().setMget(MGet.newBuilder().addAllKeys(keys)).build();
    }

    public static KvQuery exists(List<ByteString> keys) {
        return KvQuery.newBuilder()
                .setExists(Exists.newBuilder().addAllKeys(keys))
                .build();
    }

    public static KvQuery dbsize() {
        return KvQuery.newBuilder().setDbsize(DbSize.getDefaultInstance()).build();
    }

    public static KvCommand parseCommand(ByteString bytes) {
        try {
            return KvCommand.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a KvCommand: " + e.getMessage(), e);
        }
    }

    public static KvQuery parseQuery(ByteString bytes) {
        try {
            return KvQuery.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a KvQuery: " + e.getMessage(), e);
        }
    }

    public static KvResult parseResult(ByteString bytes) {
        try {
            return KvResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a KvResult: " + e.getMessage(), e);
        }
    }

    public static KvResult ok() {
        return KvResult.newBuilder().setStatus("OK").build();
    }

    public static KvResult integer(long v) {
        return KvResult.newBuilder().setInteger(v).build();
    }

    public static KvResult error(String message) {
        return KvResult.newBuilder().setError(message).build();
    }

    /**
     * Parses a value as Redis' {@code string2ll} does: an optional '-', then decimal digits with no
     * leading zero (except "0" itself), no spaces, no '+', within the signed 64-bit range.
     */
    public static OptionalLong parseLong(ByteString s) {
        int n = s.size();
        if (n == 0 || n > 20) {
            return OptionalLong.empty();
        }
        int i = 0;
        boolean negative = s.byteAt(0) == '-';
        if (negative) {
            i = 1;
            if (n == 1) {
                return OptionalLong.empty();
            }
        }
        if (s.byteAt(i) == '0' && (n - i > 1 || negative)) {
            return OptionalLong.empty(); // "01", "-0"
        }
        long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
        for (; i < n; i++) {
            int d = s.byteAt(i) - '0';
            if (d < 0 || d > 9) {
                return OptionalLong.empty();
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                return OptionalLong.empty();
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return OptionalLong.empty();
            }
            v = -v;
        }
        return OptionalLong.of(v);
    }
}
