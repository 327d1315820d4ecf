package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.security.RespAuth;
import io.raftmanager.examples.kv.security.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AUTH rules against the replies a real Redis 7.0 gives (captured with redis-cli against redis-server). */
class RespAuthTest {
    private final RespAuth auth = new RespAuth(Secret.of("pw"));
    private final RespAuth open = new RespAuth(null);

    private static List<byte[]> args(String... a) {
        return Arrays.stream(a).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void authAnswersAsRedisDoes() {
        assertNull(auth.auth(args("pw")));
        assertNull(auth.auth(args("default", "pw")));
        assertEquals("WRONGPASS invalid username-password pair or user is disabled.", auth.auth(args("x")));
        assertEquals(RespAuth.WRONGPASS, auth.auth(args("default", "x")));
        assertEquals(RespAuth.WRONGPASS, auth.auth(args("alice", "pw")), "only the default user exists");
        assertEquals("ERR wrong number of arguments for 'auth' command", auth.auth(args()));
        assertEquals("ERR syntax error", auth.auth(args("a", "b", "c")));
        assertEquals(RespAuth.WRONGPASS, auth.auth(args("pw ")), "no trimming");
    }

    @Test
    void withoutAPasswordAuthIsAnErrorButTheDefaultUserTakesAnything() {
        assertFalse(open.required());
        assertTrue(open.auth(args("x")).startsWith("ERR AUTH <password> called without any password configured"));
        assertNull(open.auth(args("default", "anything")));
        assertEquals(RespAuth.WRONGPASS, open.auth(args("alice", "x")));
    }

    @Test
    void onlyAuthHelloQuitAndResetRunBeforeAuthenticating() {
        for (String c : List.of("AUTH", "hello", "Quit", "reset")) {
            assertTrue(RespAuth.allowedBeforeAuth(c), c);
        }
        for (String c : List.of("GET", "SET", "PING", "INFO", "RAFTKV.FWD", "CLIENT", "COMMAND", "SELECT")) {
            assertFalse(RespAuth.allowedBeforeAuth(c), c);
        }
    }
}
