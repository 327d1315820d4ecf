package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.cluster.NodeProcesses;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code raft-kv} cluster of separate JVMs on 127.0.0.1 whose Raft links all run through {@link
 * LinkProxy}s: node i's {@code --peers} names the proxy (i, j) as node j's address, so every directed
 * link can be cut, delayed or slowed from here. Clients and the admin API reach the nodes directly.
 */
final class KvCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvCluster.class);
    private static final Pattern FIELD = Pattern.compile("(raft_[a-z_0-9]+):([^\\r\\n]*)");

    final int electionMillis;
    /** Raft groups the nodes shard the keys over (1: one group). */
    final int groups;

    final int heartbeatMillis;
    private final Path dir;
    private final List<Long> ids = new ArrayList<>();
    private final Map<Long, Integer> raftPorts = new TreeMap<>();
    private final Map<Long, InetSocketAddress> redis = new TreeMap<>();
    private final Map<Long, InetSocketAddress> http = new TreeMap<>();
    private final Map<List<Long>, LinkProxy> links = new LinkedHashMap<>();
    private final Map<Long, LinkProxy> sharedInbound = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, Process> processes = new TreeMap<>();
    private final Map<Long, Boolean> paused = new TreeMap<>();
    private final Map<Long, Integer> launches = new TreeMap<>();
    private final Optional<Path> slowDiskShim;

    /** Certificates and the admin token in secure mode, else null. */
    private io.raftmanager.examples.cluster.SecureSetup secure;
    /** How clients reach the RESP ports: TLS and AUTH in secure mode. */
    private RespTestClient.Login login = RespTestClient.Login.NONE;

    KvCluster(Path dir, int nodes, int electionMillis, int heartbeatMillis) throws IOException {
        this(dir, nodes, electionMillis, heartbeatMillis, false);
    }

    KvCluster(Path dir, int nodes, int electionMillis, int heartbeatMillis, boolean secure) throws IOException {
        this(dir, nodes, electionMillis, heartbeatMillis, secure, 1);
    }

    /** A cluster whose nodes shard the keys over {@code groups} Raft groups. */
    KvCluster(Path dir, int nodes, int electionMillis, int heartbeatMillis, boolean secure, int groups)
            throws IOException {
        this.dir = dir;
        this.groups = groups;
        this.electionMillis = electionMillis;
        this.heartbeatMillis = heartbeatMillis;
        for (long id = 1; id <= nodes; id++) {
            ids.add(id);
            raftPorts.put(id, freePort());
            redis.put(id, new InetSocketAddress("127.0.0.1", freePort()));
            http.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (long from : ids) {
            for (long to : ids) {
                if (from != to) {
                    links.put(
                            List.of(from, to),
                            new LinkProxy(from, to, new InetSocketAddress("127.0.0.1", raftPorts.get(to))));
                }
            }
        }
        Files.createDirectories(dir);
        if (secure) {
            // Everything on, as `cluster --secure`: peer mTLS through the link proxies (plain TCP relays), RESP
            // over TLS with a password, the admin API over HTTPS with a token.
            this.secure = io.raftmanager.examples.cluster.SecureSetup.generate(dir.resolve("secure"), nodes, true);
            this.login =
                    new RespTestClient.Login(this.secure.clientTls().getSocketFactory(), this.secure.password.reveal());
        }
        slowDiskShim = SlowDisk.build(dir.resolve("shim"));
    }

    /** The admin API's bearer token, or null when the cluster runs open. */
    String adminToken() {
        return secure == null ? null : secure.adminToken.reveal();
    }

    /** A client for node {@code id}'s RESP port: over TLS and authenticated in secure mode. */
    RespTestClient client(long id, int connectMillis, int replyMillis) throws RespTestClient.ConnectFailed {
        return new RespTestClient(redis(id), connectMillis, replyMillis, login);
    }

    /** A client for the admin API (HTTPS trusting the cluster's CA in secure mode). */
    java.net.http.HttpClient adminClient() {
        java.net.http.HttpClient.Builder b =
                java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2));
        if (secure != null) {
            b.sslContext(secure.clientTls());
        }
        return b.build();
    }

    /** The base URI of node {@code id}'s admin API. */
    String adminUri(long id) {
        return (secure == null ? "http" : "https") + "://127.0.0.1:" + http(id).getPort();
    }

    List<Long> ids() {
        return ids;
    }

    /** The run's directory: node data directories are {@code n<id>} in it. */
    Path dir() {
        return dir;
    }

    InetSocketAddress redis(long id) {
        return redis.get(id);
    }

    InetSocketAddress http(long id) {
        return http.get(id);
    }

    LinkProxy link(long from, long to) {
        LinkProxy shared = sharedInbound.get(to);
        return shared != null && from != to ? shared : links.get(List.of(from, to));
    }

    /**
     * From now on every node reaches {@code to} through the proxy {@code via -> to}: after a membership
     * change the cluster knows one Raft address per node, and this is the one it was given. Returns that
     * proxy's port.
     */
    int shareInbound(long to, long via) {
        LinkProxy p = links.get(List.of(via, to));
        sharedInbound.put(to, p);
        return p.port();
    }

    Iterable<LinkProxy> links() {
        return links.values();
    }

    private List<String> args(long id) {
        StringBuilder peers = new StringBuilder();
        for (long other : ids) {
            int port = other == id ? raftPorts.get(id) : link(id, other).port();
            peers.append(peers.length() == 0 ? "" : ",")
                    .append(other)
                    .append("=127.0.0.1:")
                    .append(port);
        }
        List<String> args = new ArrayList<>(List.of(
                "node",
                "--id",
                Long.toString(id),
                "--raft",
                "127.0.0.1:" + raftPorts.get(id),
                "--redis",
                "127.0.0.1:" + redis.get(id).getPort(),
                "--http",
                "127.0.0.1:" + http.get(id).getPort(),
                "--peers",
                peers.toString(),
                "--data",
                dir.resolve("n" + id).toString(),
                "--election-timeout-ms",
                Integer.toString(electionMillis),
                "--heartbeat-ms",
                Integer.toString(heartbeatMillis),
                "--request-timeout-ms",
                "3000"));
        if (groups > 1) {
            args.addAll(List.of("--groups", Integer.toString(groups)));
        }
        if (secure != null) {
            args.addAll(secure.nodeArgs(id));
        }
        return args;
    }

    synchronized void start(long id) throws IOException {
        Process old = processes.get(id);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("node " + id + " is running");
        }
        int n = launches.merge(id, 1, Integer::sum);
        Path log = dir.resolve("n" + id + "-" + n + ".log");
        List<String> cmd = new ArrayList<>(NodeProcesses.javaCommand(args(id)));
        cmd.add(1, "-XX:+UseSerialGC"); // small, predictable JVMs on a 2-core box
        cmd.add(1, "-XX:TieredStopAtLevel=1");
        // The library's INFO lines (elections, recoveries, lost entries) are what explains a failed run.
        cmd.add(1, "-Draftkv.log.level=" + System.getProperty("jepsen.nodeLogLevel", "INFO"));
        // RocksDB unpacks its native library into the temp dir and a SIGKILLed JVM leaves it there.
        Path tmp = Files.createDirectories(tmpDir(id));
        cmd.add(1, "-Djava.io.tmpdir=" + tmp);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (slowDiskShim.isPresent()) {
            pb.environment().put("LD_PRELOAD", slowDiskShim.get().toString());
            pb.environment().put("JEPSEN_SLOW_DISK_FILE", slowDiskControl(id).toString());
        }
        Process p = pb.start();
        processes.put(id, p);
        paused.put(id, false);
    }

    void startAll() throws IOException {
        for (long id : ids) {
            start(id);
        }
    }

    private Path tmpDir(long id) {
        return dir.resolve("tmp-n" + id);
    }

    private Path slowDiskControl(long id) {
        return dir.resolve("n" + id + ".slowdisk");
    }

    boolean hasSlowDisk() {
        return slowDiskShim.isPresent();
    }

    /** Delays every fsync of node {@code id} by {@code millis} (0: none); false if the shim is unavailable. */
    boolean slowDisk(long id, long millis) throws IOException {
        if (slowDiskShim.isEmpty()) {
            return false;
        }
        SlowDisk.set(slowDiskControl(id), millis);
        return true;
    }

    synchronized boolean isRunning(long id) {
        Process p = processes.get(id);
        return p != null && p.isAlive();
    }

    synchronized boolean isPaused(long id) {
        return paused.getOrDefault(id, false);
    }

    /** SIGKILL (Process.destroyForcibly), waiting for the process to be gone. */
    void kill(long id) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = processes.get(id);
            paused.put(id, false);
        }
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + id + " survived SIGKILL");
            }
        }
    }

    void pause(long id) throws IOException, InterruptedException {
        signal(id, "STOP");
        synchronized (this) {
            paused.put(id, true);
        }
    }

    void resume(long id) throws IOException, InterruptedException {
        signal(id, "CONT");
        synchronized (this) {
            paused.put(id, false);
        }
    }

    private void signal(long id, String sig) throws IOException, InterruptedException {
        Process p;
        synchronized (this) {
            p = processes.get(id);
        }
        if (p == null || !p.isAlive()) {
            return;
        }
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid()))
                .redirectErrorStream(true)
                .start();
        if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
            LOG.warn("kill -{} {} failed", sig, p.pid());
        }
    }

    /** The {@code raft_*} fields of a node's INFO, or empty if it does not answer in time. */
    Optional<Map<String, String>> info(long id, int timeoutMillis) {
        if (!isRunning(id) || isPaused(id)) {
            return Optional.empty();
        }
        try (RespTestClient c = client(id, timeoutMillis, timeoutMillis)) {
            Object reply = c.call("INFO", "raft");
            if (!(reply instanceof String)) {
                return Optional.empty();
            }
            Map<String, String> out = new TreeMap<>();
            Matcher m = FIELD.matcher((String) reply);
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The node that claims leadership in the highest term, 0 if none answers as leader. */
    long leader() {
        long best = 0;
        long bestTerm = -1;
        for (long id : ids) {
            Optional<Map<String, String>> info = info(id, 1_000);
            if (info.isPresent() && "leader".equals(info.get().get("raft_role"))) {
                long term = Long.parseLong(info.get().get("raft_term"));
                if (term > bestTerm) {
                    best = id;
                    bestTerm = term;
                }
            }
        }
        return best;
    }

    /** Heals every link, resumes paused nodes and restarts dead ones. */
    void healAll() throws IOException, InterruptedException {
        for (LinkProxy l : links.values()) {
            l.heal();
        }
        for (long id : ids) {
            slowDisk(id, 0);
            if (isPaused(id)) {
                resume(id);
            }
            if (!isRunning(id)) {
                start(id);
            }
        }
    }

    static int freePort() {
        return io.raftmanager.examples.testing.FreePorts.next();
    }

    @Override
    public void close() {
        for (long id : ids) {
            try {
                if (isPaused(id)) {
                    resume(id);
                }
                kill(id);
            } catch (Exception e) {
                LOG.warn("stopping node {}", id, e);
            }
        }
        links.values().forEach(LinkProxy::close);
        for (long id : ids) {
            try {
                JepsenRun.deleteTree(tmpDir(id));
            } catch (IOException e) {
                LOG.warn("removing {}", tmpDir(id), e);
            }
        }
    }
}
