package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.InvalidConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Configuration validation, back-off and the rate-limited log. */
class SmallPartsTest {
    @Test
    void configValidationNamesTheField() {
        assertEquals("nodeId", field(() -> Nodes.config(0, Map.of()).build()));
        assertEquals(
                "clusterId", field(() -> Nodes.config(1, Map.of()).clusterId("").build()));
        assertEquals(
                "peers",
                field(() -> Nodes.config(1, Map.of(1L, new InetSocketAddress("127.0.0.1", 1)))
                        .build()));
        assertEquals(
                "tls", field(() -> Nodes.config(1, Map.of()).tls(null).build()), "TLS unless plaintext is explicit");
        assertEquals(
                "maxFrameBytes",
                field(() -> Nodes.config(1, Map.of()).maxFrameBytes(10).build()));
        assertEquals(
                "peerQueueBytes",
                field(() -> Nodes.config(1, Map.of())
                        .maxFrameBytes(1 << 20)
                        .peerQueueBytes(1 << 19)
                        .build()));
        assertEquals(
                "reconnectBackoffMaxMillis",
                field(() -> Nodes.config(1, Map.of())
                        .reconnectBackoffMinMillis(100)
                        .reconnectBackoffMaxMillis(10)
                        .build()));
        assertEquals(
                "servedGroups",
                field(() -> Nodes.config(1, Map.of())
                        .servedGroups((java.util.function.LongPredicate) null)
                        .build()));
        assertEquals("tls.certChainPem", field(() -> TlsConfig.fromPem(Path.of("/nonexistent"), null, null)));
        NettyTransportConfig ok = Nodes.config(1, Map.of()).build();
        assertEquals(ok, ok.toBuilder().build());
    }

    private static String field(Runnable r) {
        return assertThrows(InvalidConfigException.class, r::run).field();
    }

    @Test
    void backoffGrowsExponentiallyWithBoundedJitter() {
        long min = TimeUnit.MILLISECONDS.toNanos(50);
        long max = TimeUnit.SECONDS.toNanos(5);
        Backoff b = new Backoff(min, max, new SplittableRandom(7));
        for (int failures = 1; failures < 40; failures++) {
            long ceiling = failures >= 8 ? max : Math.min(max, min << (failures - 1));
            for (int i = 0; i < 50; i++) {
                long d = b.delayNanos(failures);
                assertTrue(d >= ceiling / 2 && d <= ceiling, failures + " failures: " + d + " vs " + ceiling);
            }
        }
        // Seeded: the same seed gives the same schedule.
        Backoff x = new Backoff(min, max, new SplittableRandom(3));
        Backoff y = new Backoff(min, max, new SplittableRandom(3));
        for (int i = 1; i < 10; i++) {
            assertEquals(x.delayNanos(i), y.delayNanos(i));
        }
    }

    @Test
    void rateLimitedLogLetsOneLinePerKeyAndIntervalThrough() {
        AtomicLong now = new AtomicLong();
        List<String> lines = new ArrayList<>();
        RateLimitedLog log = new RateLimitedLog(1_000, now::get, lines::add);
        log.log("a", "a1");
        log.log("a", "a2");
        log.log("b", "b1");
        log.log("a", "a3");
        now.set(1_000);
        log.log("a", "a4");
        log.log("a", "a5");
        assertEquals(List.of("a1", "b1", "a4 (2 similar lines suppressed)"), lines);
    }
}
