package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.RespAuth;
import io.raftmanager.examples.kv.security.Secret;
import io.raftmanager.examples.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RESP with {@code requirepass}: every command but AUTH/HELLO/QUIT/RESET is refused with Redis' -NOAUTH until
 * the connection authenticates; wrong passwords get -WRONGPASS; a follower's forwarding cannot be used to get
 * around it; and over TLS, redis-cli --tls and Jedis work.
 */
class RespAuthEndToEndTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;

    private SecureNodes cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private KvNode startCluster(boolean clientTls) throws Exception {
        Pki ca = Pki.newCa("resp-ca", Duration.ofDays(1));
        cluster = new SecureNodes(dir, 3);
        cluster.requirepass = Secret.of(PASSWORD);
        cluster.clientTls = clientTls;
        for (long id = 1; id <= 3; id++) {
            cluster.install(id, ca.issueNode(id), ca);
            cluster.start(id);
        }
        KvNode leader = cluster.awaitLeader(SecureNodes.BOUND, 1, 2, 3);
        KvNode follower = cluster.nodes.values().stream()
                .filter(n -> n != leader)
                .findFirst()
                .orElseThrow();
        TestNodes.await(
                "the follower to learn the leader's RESP address",
                SecureNodes.BOUND,
                () -> follower.redisAddressOf(leader.config().id()).isPresent());
        return follower;
    }

    @Test
    void withoutAuthEveryCommandButAuthHelloQuitAndResetGetsNoauth() throws Exception {
        KvNode follower = startCluster(false);
        try (RespTestClient c = new RespTestClient(follower.redisAddress())) {
            for (List<String> cmd : List.of(
                    List.of("GET", "k"),
                    List.of("SET", "k", "v"),
                    List.of("PING"),
                    List.of("INFO"),
                    List.of("SELECT", "0"),
                    List.of("CLIENT", "ID"),
                    List.of("MULTI"),
                    List.of("RAFTKV.FWD", "x"))) {
                assertEquals(
                        new RespTestClient.Err("NOAUTH Authentication required."),
                        c.call(cmd.toArray(String[]::new)),
                        cmd.toString());
            }
            assertEquals(new RespTestClient.Err(RespAuth.HELLO_NOAUTH), c.call("HELLO", "2"));
            assertEquals(
                    new RespTestClient.Err("WRONGPASS invalid username-password pair or user is disabled."),
                    c.call("AUTH", "nope"));
            assertEquals(new RespTestClient.Err(RespAuth.WRONGPASS), c.call("HELLO", "2", "AUTH", "default", "nope"));
            assertEquals("RESET", c.call("RESET"));
            // Unknown commands and wrong arities are reported before authentication, as Redis does.
            assertTrue(((RespTestClient.Err) c.call("NOSUCHCMD")).message().startsWith("ERR unknown command"));
            assertEquals("OK", c.call("AUTH", PASSWORD));
            // Written through the follower: forwarded to the leader on connections that authenticated themselves.
            assertEquals("OK", retryingLeaderChanges(c, "SET", "k", "v"));
            assertEquals("v", retryingLeaderChanges(c, "GET", "k"));
            assertEquals("RESET", c.call("RESET"));
            assertEquals(new RespTestClient.Err(RespAuth.NOAUTH), c.call("GET", "k"), "RESET signs out");
        }
        try (RespTestClient c = new RespTestClient(follower.redisAddress())) {
            Object hello = c.call("HELLO", "2", "AUTH", "default", PASSWORD);
            assertTrue(hello instanceof List<?> l && l.contains("proto"), String.valueOf(hello));
            assertEquals("v", retryingLeaderChanges(c, "GET", "k"));
            assertEquals("OK", c.call("QUIT"));
        }
        String metrics = follower.metrics().scrape();
        assertTrue(metrics.matches("(?s).*raftkv_auth_failures_total\\{endpoint=\"resp\"} 2\\.0.*"), metrics);
        assertTrue(!metrics.contains(PASSWORD));
    }

    @Test
    void redisCliOverTlsAndJedisOverTlsWorkThroughAFollower() throws Exception {
        Assumptions.assumeTrue(redisCliInstalled(), "redis-cli is not installed (.ci/run installs it)");
        KvNode follower = startCluster(true);
        int port = follower.redisAddress().getPort();
        Path ca = cluster.caFile(follower.config().id());
        // TRYAGAIN and CLUSTERDOWN (a leader change under load) are answers a client retries.
        String[] set = new String[1];
        TestNodes.await("SET over TLS through the follower", SecureNodes.BOUND, () -> {
            set[0] = redisCli(ca, port, "--user", "default", "--pass", PASSWORD, "SET", "tls-key", "over-tls")
                    .strip();
            return !set[0].startsWith("TRYAGAIN") && !set[0].startsWith("CLUSTERDOWN");
        });
        assertEquals("OK", set[0]);
        String noauth = redisCli(ca, port, "GET", "tls-key");
        assertTrue(noauth.contains("NOAUTH"), noauth);

        javax.net.ssl.SSLSocketFactory factory = io.raftmanager.examples.kv.admin.AdminTls.client(
                        new io.raftmanager.examples.kv.security.TlsFiles(
                                "--client-tls",
                                cluster.certFile(follower.config().id()),
                                cluster.keyFile(follower.config().id()),
                                ca))
                .getSocketFactory();
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(
                "127.0.0.1",
                port,
                redis.clients.jedis.DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(factory)
                        .password(PASSWORD)
                        .build())) {
            assertEquals("over-tls", retryingLeaderChanges(() -> jedis.get("tls-key")));
            assertEquals("OK", retryingLeaderChanges(() -> jedis.set("jedis-key", "v")));
        }
        try (redis.clients.jedis.Jedis anonymous = new redis.clients.jedis.Jedis(
                "127.0.0.1",
                port,
                redis.clients.jedis.DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(factory)
                        .build())) {
            redis.clients.jedis.exceptions.JedisDataException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> anonymous.get("jedis-key"));
            assertTrue(refused.getMessage().startsWith("NOAUTH"), refused.getMessage());
        }
    }

    /**
     * Sends {@code command} again while it answers TRYAGAIN or CLUSTERDOWN, as a client would: with 600 ms
     * election timeouts a loaded machine can change leaders mid-test, which is not what this test is about.
     */
    private static Object retryingLeaderChanges(RespTestClient c, String... command) throws Exception {
        Object[] reply = new Object[1];
        TestNodes.await(String.join(" ", command) + " without a leader change in the way", SecureNodes.BOUND, () -> {
            reply[0] = c.call(command);
            return !(reply[0] instanceof RespTestClient.Err e
                    && (e.code().equals("TRYAGAIN") || e.code().equals("CLUSTERDOWN")));
        });
        return reply[0];
    }

    /** The same for a Jedis call, which throws on an error reply. */
    private static String retryingLeaderChanges(java.util.function.Supplier<String> call) throws Exception {
        String[] reply = new String[1];
        TestNodes.await("a Jedis call without a leader change in the way", SecureNodes.BOUND, () -> {
            try {
                reply[0] = call.get();
                return true;
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                if (e.getMessage().startsWith("TRYAGAIN") || e.getMessage().startsWith("CLUSTERDOWN")) {
                    return false;
                }
                throw new AssertionError(e);
            }
        });
        return reply[0];
    }

    private static boolean redisCliInstalled() {
        try {
            Process p = new ProcessBuilder("redis-cli", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String redisCli(Path ca, int port, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "redis-cli", "--tls", "--cacert", ca.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.add("--no-auth-warning");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-cli did not finish");
        return out;
    }
}
