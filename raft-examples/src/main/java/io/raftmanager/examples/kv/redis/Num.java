package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.KvCodec;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.OptionalLong;

/** Parses and formats numbers as Redis does. */
final class Num {
    private Num() {}

    /** A 64-bit integer (Redis' string2ll), or null. */
    static Long parseLong(ByteString s) {
        OptionalLong v = KvCodec.parseLong(s);
        return v.isPresent() ? v.getAsLong() : null;
    }

    static String upper(ByteString s) {
        return s.toStringUtf8().toUpperCase(Locale.ROOT);
    }

    /** An infinity or NaN spelled as strtold accepts it, or null if {@code s} is not one. */
    static Double special(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (t.equals("inf") || t.equals("infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (t.equals("nan")) {
            return Double.NaN;
        }
        return null;
    }

    /**
     * A finite decimal (Redis' string2ld: no spaces, no trailing garbage), exact; null if not a number
     * or if it is infinite or NaN (callers that must tell those apart use {@link #special}).
     */
    static BigDecimal parseDecimal(ByteString b) {
        if (b.isEmpty() || b.size() > 5000) {
            return null;
        }
        String s = b.toStringUtf8();
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        if (Character.isWhitespace(first) || Character.isWhitespace(last)) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A double (Redis' getDoubleFromObject), or null; accepts inf and nan spellings. */
    static Double parseDouble(ByteString b) {
        String s = b.toStringUtf8();
        Double sp = special(s);
        if (sp != null) {
            return sp.isNaN() ? null : sp;
        }
        BigDecimal d = parseDecimal(b);
        return d == null ? null : d.doubleValue();
    }

    /** How Redis prints INCRBYFLOAT results: plain decimal, no exponent, no trailing zeros. */
    static String format(BigDecimal d) {
        if (d.signum() == 0) {
            return "0";
        }
        String s = d.stripTrailingZeros().toPlainString();
        return s;
    }

    /** Redis' limit on the magnitude of a stored float (long double), kept finite. */
    static boolean tooLarge(BigDecimal d) {
        return d.abs().compareTo(new BigDecimal("1e4932")) >= 0;
    }
}
