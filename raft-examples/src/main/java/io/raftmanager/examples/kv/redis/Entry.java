package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;

/**
 * One key's value with its expiry and version. Immutable: a write replaces the entry.
 *
 * @param value a {@link ByteString} (string), {@link HashValue}, {@link ListValue} or {@link SetValue}
 * @param expireAt absolute expiry in leader milliseconds, 0 for none
 * @param version the log index of the entry that last wrote the key (what WATCH compares)
 */
public record Entry(Object value, long expireAt, long version) {
    /** A hash: fields to values, in {@link Key#ORDER}. */
    public record HashValue(PSortedMap<Key, ByteString> fields) {}

    /** A list. */
    public record ListValue(PVector<ByteString> items) {}

    /** A set: members (the map's values are the members' bytes, the keys their order). */
    public record SetValue(PSortedMap<Key, ByteString> members) {}

    /** Redis' name of the value's type, as TYPE answers it. */
    public String typeName() {
        return typeName(value);
    }

    static String typeName(Object value) {
        if (value instanceof ByteString) {
            return "string";
        }
        if (value instanceof HashValue) {
            return "hash";
        }
        if (value instanceof ListValue) {
            return "list";
        }
        return "set";
    }

    /** Expired at {@code now} (Redis: a key is expired once the clock is past its expiry time). */
    boolean expiredAt(long now) {
        return expireAt != 0 && now > expireAt;
    }
}
