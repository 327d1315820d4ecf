package io.raftmanager.examples.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.EventLoops;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.resp.RespClient;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code raft-kv bench}: a closed-loop load generator. Each client is one connection with one request in
 * flight; latency is measured from send to reply into HdrHistogram. Prints a progress line every second
 * and a final report, and writes an .hgrm percentile file and an HTML page with an inline SVG chart.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Load-test KV nodes (or any Redis server) with SET/GET.",
        sortOptions = false)
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--redis",
            required = true,
            split = ",",
            paramLabel = "HOST:PORT",
            description = "Servers to load; clients are spread over them round-robin.")
    List<String> redis;

    @Option(
            names = "--clients",
            defaultValue = "128",
            description = "Connections, each with one request in flight (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--duration",
            defaultValue = "30s",
            description = "How long to run: 500ms, 30s, 2m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--value-size",
            defaultValue = "100",
            description = "SET value size in bytes (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(
            names = "--read-ratio",
            defaultValue = "0.0",
            description = "Fraction of GETs, 0.0-1.0 (default: ${DEFAULT-VALUE}).")
    double readRatio;

    @Option(names = "--keys", defaultValue = "100000", description = "Key space size (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(
            names = "--read-mode",
            description = "Send READMODE <mode> on each connection first (linearizable, lease, follower, stale).")
    String readMode;

    @Option(
            names = "--route-by-key",
            description = "Send each key to its group's leader, as a sharding-aware client would (raft-kv with"
                    + " --groups: the leaders are read once from INFO raft of every --redis server); without it a"
                    + " client sends to its one server, which forwards.")
    boolean routeByKey;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            paramLabel = "DIR",
            description = "Where the .hgrm and .html files go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long durationNanos = parseDuration(duration);
        if (clients < 1 || valueSize < 0 || keys < 1 || readRatio < 0 || readRatio > 1) {
            throw new ParameterException(
                    new picocli.CommandLine(this),
                    "need --clients >= 1, --value-size >= 0, --keys >= 1 and 0 <= --read-ratio <= 1");
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String r : redis) {
            try {
                targets.add(KvNode.parseHostPort(r.trim()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(new picocli.CommandLine(this), "--redis: " + e.getMessage(), e);
            }
        }
        byte[] value = new byte[valueSize];
        Arrays.fill(value, (byte) 'x');
        EventLoopGroup group =
                EventLoops.create(2, "raft-kv-bench"); // epoll where available: fewer syscalls per request
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        List<Client> running = new ArrayList<>();
        BenchReport report = new BenchReport();
        try {
            KeyRouter router = routeByKey ? KeyRouter.discover(group, targets, out) : null;
            for (int i = 0; i < clients; i++) {
                InetSocketAddress target = targets.get(i % targets.size());
                RespClient c = connect(group, target);
                RespClient[] byTarget = null;
                if (router != null) {
                    byTarget = new RespClient[targets.size()];
                    for (int t = 0; t < targets.size(); t++) {
                        byTarget[t] = t == i % targets.size() ? c : connect(group, targets.get(t));
                    }
                }
                if (readMode != null) {
                    RedisMessage r =
                            c.send(List.of(bytes("READMODE"), bytes(readMode))).get(5, TimeUnit.SECONDS);
                    if (r instanceof ErrorRedisMessage) {
                        throw new IllegalStateException("READMODE refused: " + ((ErrorRedisMessage) r).content());
                    }
                }
                running.add(
                        new Client(c, byTarget, router, new SplittableRandom(i * 7919L + 1), value, recorder, errors));
            }
            out.printf(
                    "bench: %d clients on %s, %s, %d-byte values, read ratio %.2f%n",
                    clients, redis, duration, valueSize, readRatio);
            long start = System.nanoTime();
            long end = start + durationNanos;
            running.forEach(Client::next);
            Histogram total = new Histogram(3);
            Histogram interval = null;
            long lastErrors = 0;
            while (System.nanoTime() < end) {
                long sleep = Math.min(TimeUnit.SECONDS.toNanos(1), end - System.nanoTime());
                TimeUnit.NANOSECONDS.sleep(Math.max(0, sleep));
                interval = recorder.getIntervalHistogram(interval);
                total.add(interval);
                long e = errors.get();
                double seconds = (System.nanoTime() - start) / 1e9;
                report.addSecond(seconds, interval, e - lastErrors, sleep / 1e9);
                out.printf(
                        "\r[%5.1fs] %,9.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  errors %d   ",
                        seconds,
                        interval.getTotalCount() / (sleep / 1e9),
                        interval.getValueAtPercentile(50) / 1000.0,
                        interval.getValueAtPercentile(99) / 1000.0,
                        e);
                out.flush();
                lastErrors = e;
            }
            running.forEach(Client::stop);
            double elapsed = (System.nanoTime() - start) / 1e9;
            out.println();
            out.print(report.summary(total, errors.get(), elapsed));
            Path[] files = report.write(outDir, "bench-" + System.currentTimeMillis(), total, describe());
            out.printf("wrote %s and %s%n", files[0], files[1]);
            return 0;
        } finally {
            running.forEach(Client::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static RespClient connect(EventLoopGroup group, InetSocketAddress target) throws Exception {
        try {
            return RespClient.connect(group, target).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "cannot connect to " + KvNode.hostPort(target) + ": "
                            + e.getCause().getMessage(),
                    e);
        }
    }

    private String describe() {
        return String.format(
                "%d clients on %s, %s, %d-byte values, read ratio %.2f",
                clients, redis, duration, valueSize, readRatio);
    }

    /** Parses 500ms, 30s, 2m or a plain number of seconds. */
    static long parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return TimeUnit.SECONDS.toNanos(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return TimeUnit.MINUTES.toNanos(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return TimeUnit.SECONDS.toNanos(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--duration '" + s + "' is not like 500ms, 30s or 2m", e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One connection in a closed loop: send, wait for the reply, record, send the next. */
    private final class Client {
        final RespClient client;
        /** With --route-by-key: a connection to every target, by target index; else null. */
        final RespClient[] byTarget;

        final KeyRouter router;
        final SplittableRandom random;
        final byte[] value;
        final Recorder recorder;
        final AtomicLong errors;
        volatile boolean stopped;

        Client(
                RespClient client,
                RespClient[] byTarget,
                KeyRouter router,
                SplittableRandom random,
                byte[] value,
                Recorder recorder,
                AtomicLong errors) {
            this.client = client;
            this.byTarget = byTarget;
            this.router = router;
            this.random = random;
            this.value = value;
            this.recorder = recorder;
            this.errors = errors;
        }

        void next() {
            if (stopped) {
                return;
            }
            byte[] key = bytes("key:" + random.nextInt(keys));
            List<byte[]> request =
                    random.nextDouble() < readRatio ? List.of(bytes("GET"), key) : List.of(bytes("SET"), key, value);
            RespClient to = client;
            if (router != null) {
                int t = router.target(key);
                to = t < 0 ? client : byTarget[t];
            }
            long t0 = System.nanoTime();
            to.send(request).whenComplete((reply, err) -> {
                recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                if (err != null) {
                    errors.incrementAndGet();
                    stopped = true; // the connection is gone
                } else if (reply instanceof ErrorRedisMessage) {
                    errors.incrementAndGet(); // e.g. no leader yet: back off instead of spinning on errors
                    CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(this::next);
                } else {
                    next();
                }
            });
        }

        void stop() {
            stopped = true;
        }

        void close() {
            client.close();
            if (byTarget != null) {
                for (RespClient c : byTarget) {
                    if (c != client) {
                        c.close();
                    }
                }
            }
        }
    }
}
