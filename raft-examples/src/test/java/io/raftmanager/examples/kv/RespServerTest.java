package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RESP front end of a single in-process node: commands, error replies and hostile input. */
class RespServerTest {
    static final int MAX_BULK = 4096;

    @TempDir
    static Path dir;

    static KvNode node;

    @BeforeAll
    static void start() throws Exception {
        node = KvNode.start(TestNodes.singleNode(dir.resolve("n1"), MAX_BULK));
        TestNodes.await("a leader", Duration.ofSeconds(20), () -> {
            try (RespTestClient c = client()) {
                return "OK".equals(c.call("SET", "ready", "1"));
            }
        });
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static RespTestClient client() throws Exception {
        return new RespTestClient(node.redisAddress());
    }

    @Test
    void everyCommandAnswersLikeRedis() throws Exception {
        try (RespTestClient c = client()) {
            assertEquals("PONG", c.call("PING"));
            assertEquals("hi", c.call("ping", "hi"));
            assertEquals("x y", c.call("ECHO", "x y"));
            assertEquals("OK", c.call("SET", "k", "v"));
            assertEquals("v", c.call("GET", "k"));
            assertNull(c.call("GET", "missing"));
            assertEquals(1L, c.call("INCR", "n"));
            assertEquals(11L, c.call("INCRBY", "n", "10"));
            assertEquals(10L, c.call("DECR", "n"));
            assertEquals(new RespTestClient.Err(KvCodec.NOT_AN_INTEGER), c.call("INCR", "k"));
            assertEquals(new RespTestClient.Err(KvCodec.NOT_AN_INTEGER), c.call("INCRBY", "n", "1.5"));
            assertEquals(0L, c.call("CAS", "k", "nope", "w"));
            assertEquals(1L, c.call("CAS", "k", "v", "w"));
            assertEquals("w", c.call("GET", "k"));
            assertEquals("OK", c.call("MSET", "a", "1", "b", "2"));
            assertEquals(java.util.Arrays.asList("1", null, "2"), c.call("MGET", "a", "zz", "b"));
            assertEquals(2L, c.call("EXISTS", "a", "b", "zz"));
            assertEquals(2L, c.call("DEL", "a", "b", "zz"));
            assertInstanceOf(Long.class, c.call("DBSIZE"));
            assertEquals("OK", c.call("CLIENT", "SETNAME", "tester"));
            assertEquals("tester", c.call("CLIENT", "GETNAME"));
            assertTrue(((List<?>) c.call("COMMAND", "DOCS", "GET")).contains("get"), "COMMAND DOCS knows GET");
            assertEquals("linearizable", c.call("READMODE"));
            assertEquals("OK", c.call("READMODE", "stale"));
            assertEquals("w", c.call("GET", "k"));
            assertEquals(
                    new RespTestClient.Err("ERR unknown read mode 'eventual' (linearizable, lease, follower, stale)"),
                    c.call("READMODE", "eventual"));
            String info = (String) c.call("INFO");
            assertTrue(info.contains("# Raft\r\nraft_node_id:1\r\nraft_role:leader"), info);
            assertTrue(info.contains("read_mode:stale"), info);
        }
    }

    @Test
    void wrongArityAndUnknownCommandsGetStandardErrors() throws Exception {
        try (RespTestClient c = client()) {
            assertEquals(new RespTestClient.Err("ERR wrong number of arguments for 'get' command"), c.call("GET"));
            assertEquals(
                    new RespTestClient.Err("ERR wrong number of arguments for 'mset' command"), c.call("MSET", "a"));
            assertEquals(new RespTestClient.Err("ERR syntax error"), c.call("SET", "a", "b", "EX", "10", "PX", "5"));
            assertEquals(
                    new RespTestClient.Err("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' "),
                    c.call("NOSUCHCMD", "x"));
            assertEquals("PONG", c.call("PING"), "the connection stays usable");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RespTestClient c = client()) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                batch.writeBytes(RespTestClient.encode("INCR", "pipe"));
                batch.writeBytes(RespTestClient.encode("GET", "pipe"));
            }
            c.writeRaw(batch.toByteArray());
            for (int i = 1; i <= 500; i++) {
                assertEquals((long) i, c.read());
                assertEquals(Integer.toString(i), c.read());
            }
        }
    }

    @Test
    void inlineCommandsWork() throws Exception {
        try (RespTestClient c = client()) {
            c.writeRaw("SET inline 42\r\nGET inline\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("OK", c.read());
            assertEquals("42", c.read());
        }
    }

    @Test
    void malformedRespGetsAProtocolErrorAndTheNodeKeepsServing() throws Exception {
        try (RespTestClient c = client()) {
            c.writeRaw("*2\r\n$3\r\nGET\r\n$abc\r\n".getBytes(StandardCharsets.US_ASCII));
            Object reply = c.read();
            assertInstanceOf(RespTestClient.Err.class, reply);
            assertTrue(((RespTestClient.Err) reply).message().startsWith("ERR Protocol error"), reply.toString());
            assertTrue(c.closedByServer());
        }
        try (RespTestClient c = client()) {
            c.writeRaw("*1\r\n:5\r\n".getBytes(StandardCharsets.US_ASCII)); // an integer where a bulk string belongs
            Object reply = c.read();
            assertTrue(((RespTestClient.Err) reply).message().startsWith("ERR Protocol error"), reply.toString());
        }
        assertServing();
    }

    @Test
    void aBulkStringOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        try (RespTestClient c = client()) {
            assertEquals("OK", c.call("SET", "fits", "x".repeat(MAX_BULK)));
            c.writeRaw(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + (MAX_BULK + 1) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Object reply = c.read();
            assertEquals(new RespTestClient.Err("ERR Protocol error: invalid bulk length"), reply);
            assertTrue(c.closedByServer());
        }
        try (RespTestClient c = client()) {
            c.writeRaw("*1\r\n$999999999999\r\n".getBytes(StandardCharsets.US_ASCII));
            assertInstanceOf(RespTestClient.Err.class, c.read());
        }
        assertServing();
    }

    @Test
    void clientsDisconnectingMidRequestDoNotHurtTheNode() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RespTestClient c = client()) {
                c.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$100\r\nabc".getBytes(StandardCharsets.US_ASCII));
            }
            try (RespTestClient c = client()) { // a complete request, then gone before the reply
                c.writeRaw(RespTestClient.encode("INCR", "gone"));
            }
        }
        assertServing();
    }

    private static void assertServing() throws Exception {
        try (RespTestClient c = client()) {
            assertEquals("OK", c.call("SET", "still", "here"));
            assertEquals("here", c.call("GET", "still"));
        }
    }
}
