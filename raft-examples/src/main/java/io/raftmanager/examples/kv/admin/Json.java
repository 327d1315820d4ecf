package io.raftmanager.examples.kv.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API's JSON, through jackson-jr: responses are maps, lists and scalars written in their
 * iteration order; requests are flat objects of strings, integers, booleans and null.
 */
public final class Json {
    private static final JSON CODEC =
            JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS, JSON.Feature.WRITE_NULL_PROPERTIES);

    private Json() {}

    /** {@code value} (maps, lists, strings, numbers, booleans, null; anything else as its string) as JSON. */
    public static String write(Object value) {
        try {
            return CODEC.asString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a flat JSON object whose values are strings, integers, booleans or null; integers come back as
     * {@link Long}.
     *
     * @throws IllegalArgumentException with a readable reason if {@code text} is not such an object
     */
    public static Map<String, Object> parseObject(String text) {
        Map<String, Object> parsed;
        try (JsonParser parser = CODEC.createParser(text)) {
            parsed = CODEC.mapFrom(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("malformed JSON: unexpected text after the object");
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed JSON: " + firstLine(e.getMessage()), e);
        }
        if (parsed == null) {
            throw new IllegalArgumentException("malformed JSON: an object is expected");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : parsed.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Integer || v instanceof Long) {
                v = ((Number) v).longValue();
            } else if (v != null && !(v instanceof String) && !(v instanceof Boolean)) {
                throw new IllegalArgumentException(
                        "malformed JSON: only strings, integers, booleans and null are accepted (\"" + e.getKey()
                                + "\")");
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** {@code text} as a JSON object of any shape (nested lists and objects), or null when it is not one. */
    public static Map<String, Object> parseAny(String text) {
        try {
            return CODEC.mapFrom(text);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The {@code field} of a JSON object, or null when {@code text} is not an object or lacks it. */
    public static Object field(String text, String field) {
        try {
            Map<String, Object> m = CODEC.mapFrom(text);
            return m == null ? null : m.get(field);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
