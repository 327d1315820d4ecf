package io.raftmanager.examples.kv;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raft-kv node}: runs one KV server until it is stopped (Ctrl-C or SIGTERM). */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = {
            "Run one node of a replicated key-value store that speaks the Redis protocol.",
            "Options may also come from a file, one per line: raft-kv node @node1.args"
        },
        sortOptions = false)
public final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, description = "This node's id (a positive number, unique in the cluster).")
    long id;

    @Option(
            names = "--raft",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Address for Raft traffic between nodes.")
    String raft;

    @Option(
            names = "--redis",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Address for Redis clients (RESP).")
    String redis;

    @Option(
            names = "--http",
            paramLabel = "HOST:PORT",
            description = "Address of the admin HTTP API (/status, /metrics); none if omitted.")
    String http;

    @Option(
            names = "--peers",
            required = true,
            paramLabel = "ID=HOST:PORT,...",
            description = "Every member's Raft address, this node included, e.g. 1=127.0.0.1:7001,2=127.0.0.1:7002.")
    String peers;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "Data directory; created if missing, and refused if it belongs to another node or cluster.")
    Path data;

    @Option(
            names = "--cluster-id",
            defaultValue = "raft-kv",
            description = "Cluster name every message carries (default: ${DEFAULT-VALUE}).")
    String clusterId;

    @Option(
            names = "--join",
            description = "Start empty and wait to be added by the cluster; never bootstrap a cluster of its own.")
    boolean join;

    @Option(
            names = "--election-timeout-ms",
            defaultValue = "1000",
            description = "Minimum election timeout (default: ${DEFAULT-VALUE}).")
    int electionTimeoutMs;

    @Option(
            names = "--heartbeat-ms",
            defaultValue = "100",
            description = "Leader heartbeat interval, also the Raft tick (default: ${DEFAULT-VALUE}).")
    int heartbeatMs;

    @Option(
            names = "--snapshot-entries",
            defaultValue = "100000",
            paramLabel = "N",
            description =
                    "Snapshot the state and compact the log after N applied entries; 0 = never (default: ${DEFAULT-VALUE}).")
    long snapshotEntries;

    @Option(
            names = "--snapshot-trailing-entries",
            defaultValue = "10000",
            paramLabel = "N",
            description =
                    "Entries kept in the log behind a snapshot: a follower fewer than N behind catches up from the log, not a snapshot (default: ${DEFAULT-VALUE}).")
    long snapshotTrailingEntries;

    @Option(
            names = "--max-bulk-bytes",
            defaultValue = "524288",
            description = "Largest bulk string a client may send, at most 1048576 (default: ${DEFAULT-VALUE}).")
    int maxBulkBytes;

    @Option(
            names = "--request-timeout-ms",
            defaultValue = "5000",
            description = "How long a request waits for its outcome before -TIMEOUT (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMs;

    @Option(
            names = "--storage",
            defaultValue = "rocksdb",
            description = "Log storage engine: memory or rocksdb (default: ${DEFAULT-VALUE}).")
    String storage;

    @Option(
            names = "--loops",
            defaultValue = "0",
            description =
                    "Event-loop threads shared by Redis clients, Raft peers and the Raft group; 0 for one per core (default: ${DEFAULT-VALUE}).")
    int loops;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws InterruptedException {
        KvNodeConfig config = config();
        KvNode node = KvNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            node.close();
                            stopped.countDown();
                        },
                        "raft-kv-shutdown"));
        out.printf(
                "node %d ready: raft %s, redis %s, http %s, data %s%n",
                config.id(),
                KvNode.hostPort(config.raft()),
                KvNode.hostPort(node.redisAddress()),
                node.httpAddress() == null ? "-" : KvNode.hostPort(node.httpAddress()),
                config.dataDir().toAbsolutePath());
        out.flush();
        stopped.await();
        return 0;
    }

    /** Parses and checks the flags; problems are usage errors (exit code 2) with one line each. */
    KvNodeConfig config() {
        try {
            return new KvNodeConfig(
                    id,
                    clusterId,
                    address("--raft", raft),
                    address("--redis", redis),
                    http == null ? null : address("--http", http),
                    parsePeers(peers),
                    data,
                    join,
                    electionTimeoutMs,
                    heartbeatMs,
                    snapshotEntries,
                    snapshotTrailingEntries,
                    maxBulkBytes,
                    requestTimeoutMs,
                    storage,
                    loops);
        } catch (StartupException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private InetSocketAddress address(String flag, String value) {
        try {
            return KvNode.parseHostPort(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage(), e);
        }
    }

    private Map<Long, InetSocketAddress> parsePeers(String value) {
        Map<Long, InetSocketAddress> out = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--peers: '" + p + "' is not ID=HOST:PORT");
            }
            long peerId;
            try {
                peerId = Long.parseLong(p.substring(0, eq));
            } catch (NumberFormatException e) {
                throw new ParameterException(
                        spec.commandLine(), "--peers: '" + p.substring(0, eq) + "' is not a node id", e);
            }
            if (peerId <= 0 || out.put(peerId, address("--peers", p.substring(eq + 1))) != null) {
                throw new ParameterException(spec.commandLine(), "--peers: id " + peerId + " is invalid or repeated");
            }
        }
        return out;
    }
}
