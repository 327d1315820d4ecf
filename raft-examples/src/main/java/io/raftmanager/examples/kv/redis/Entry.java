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

    /** A sorted set: members (by {@link Key#ORDER}) to scores. */
    public record ZSetValue(PSortedMap<Key, Double> scores) {}

    /**
     * A stream: entries by id (each a flat list of fields and values), the last id generated, and the
     * consumer groups by name.
     */
    public record StreamValue(
            PSortedMap<StreamId, PVector<ByteString>> entries, StreamId lastId, PSortedMap<Key, StreamGroup> groups) {}

    /** A stream entry id: milliseconds and sequence, compared as unsigned pairs. */
    public record StreamId(long ms, long seq) implements Comparable<StreamId> {
        @Override
        public int compareTo(StreamId o) {
            int c = Long.compareUnsigned(ms, o.ms);
            return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
        }
    }

    /** A consumer group: its last delivered id and its pending entries (id to consumer). */
    public record StreamGroup(ByteString name, StreamId lastDelivered, PSortedMap<StreamId, ByteString> pending) {}

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
        if (value instanceof ZSetValue) {
            return "zset";
        }
        if (value instanceof StreamValue) {
            return "stream";
        }
        return "set";
    }

    /** Expired at {@code now} (Redis: a key is expired once the clock is past its expiry time). */
    boolean expiredAt(long now) {
        return expireAt != 0 && now > expireAt;
    }
}
