package io.raftmanager.examples.kv.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Redis' glob patterns, and no exponential blow-up on the patterns that once hung Redis. */
class GlobTest {
    private static boolean m(String pattern, String s) {
        return Glob.matches(ByteString.copyFromUtf8(pattern), ByteString.copyFromUtf8(s));
    }

    @Test
    void matchesAsRedisDoes() {
        assertTrue(m("*", ""));
        assertTrue(m("h?llo", "hello"));
        assertFalse(m("h?llo", "hllo"));
        assertTrue(m("h*llo", "heeeello"));
        assertTrue(m("h[ae]llo", "hallo"));
        assertFalse(m("h[ae]llo", "hillo"));
        assertTrue(m("h[^e]llo", "hallo"));
        assertFalse(m("h[^e]llo", "hello"));
        assertTrue(m("h[a-b]llo", "hbllo"));
        assertTrue(m("h[b-a]llo", "hallo"), "a reversed range");
        assertTrue(m("h\\*llo", "h*llo"));
        assertFalse(m("h\\*llo", "hello"));
        assertTrue(m("key:*:x", "key:12:x"));
        assertFalse(m("key:*:x", "key:12:y"));
        assertTrue(m("a*b*c", "aXXbYYc"));
        assertFalse(m("a*b*c", "aXXbYY"));
    }

    @Test
    void pathologicalPatternsStayPolynomial() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertFalse(m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(40)));
            assertFalse(m("*?".repeat(50_000), "a".repeat(50_000)), "past Redis' nesting limit: no match");
            assertTrue(m("*?".repeat(500), "a".repeat(600)));
        });
    }
}
