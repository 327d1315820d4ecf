package io.raftmanager.examples.kv;

import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.SecretFiles;
import io.raftmanager.examples.kv.security.TlsFiles;
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
            paramLabel = "[HOST:]PORT",
            description = "Address of the admin HTTP API (/status, /metrics, membership); none if omitted. A bare"
                    + " port binds 127.0.0.1; any other address than loopback needs --admin-token-file.")
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
            description = "Start empty and wait to be added by the cluster; never bootstrap a cluster of its own. With"
                    + " --groups N every group starts empty and waits (POST /members adds the node to all of them).")
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
            names = "--databases",
            defaultValue = "16",
            paramLabel = "N",
            description =
                    "Number of Redis databases, SELECT 0..N-1; every node of a cluster must use the same (default: ${DEFAULT-VALUE}).")
    int databases;

    @Option(
            names = "--groups",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Raft groups the keys are sharded over (Redis Cluster hash slots, {tags} honoured); every node hosts"
                            + " every group and every node of a cluster must use the same (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(
            names = "--max-bulk-bytes",
            defaultValue = "524288",
            description = "Largest bulk string a client may send, at most 67108864 (default: ${DEFAULT-VALUE}).")
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

    @Option(
            names = "--peer-tls-cert",
            paramLabel = "PEM",
            description = "This node's certificate chain for Raft traffic (leaf first). Its SAN must hold the URI"
                    + " urn:raft-manager:node:<id>. With --peer-tls-key and --peer-tls-ca: mutual TLS between nodes.")
    Path peerTlsCert;

    @Option(
            names = "--peer-tls-key",
            paramLabel = "PEM",
            description = "The certificate's unencrypted PKCS#8 private key; refused if other users can read it.")
    Path peerTlsKey;

    @Option(
            names = "--peer-tls-ca",
            paramLabel = "PEM",
            description = "The CA certificate(s) every peer's certificate must chain to.")
    Path peerTlsCa;

    @Option(
            names = "--peer-tls-verify-hostname",
            description = "Also require a peer's certificate to name the host it is dialled at (off: the node id in"
                    + " the certificate is what is checked).")
    boolean peerTlsVerifyHostname;

    @Option(
            names = "--tls-reload-poll-ms",
            defaultValue = "5000",
            description = "How often certificate files (peer and RESP) and the admin token file are checked for"
                    + " changes and"
                    + " reloaded; 0 for SIGHUP only"
                    + " (default: ${DEFAULT-VALUE}).")
    long tlsReloadPollMs;

    @Option(
            names = "--admin-token-file",
            paramLabel = "FILE",
            description = "A file holding the bearer token every admin request must carry (Authorization: Bearer"
                    + " <token>); refused if other users can read it. The same token on every node. Re-read when"
                    + " the file changes (see --tls-reload-poll-ms) or on SIGHUP.")
    Path adminTokenFile;

    @Option(
            names = "--admin-tls-cert",
            paramLabel = "PEM",
            description = "Serve the admin API over HTTPS with this certificate chain (with --admin-tls-key and"
                    + " --admin-tls-ca, the CA relayed requests to the leader trust).")
    Path adminTlsCert;

    @Option(names = "--admin-tls-key", paramLabel = "PEM", description = "The admin certificate's private key.")
    Path adminTlsKey;

    @Option(
            names = "--admin-tls-ca",
            paramLabel = "PEM",
            description = "The CA that the other nodes' admin certificates chain to.")
    Path adminTlsCa;

    @Option(
            names = "--requirepass",
            paramLabel = "PASSWORD",
            description = "Redis clients must AUTH with this password (as Redis' requirepass). Visible in the process"
                    + " list: prefer --requirepass-file.")
    String requirepass;

    @Option(
            names = "--requirepass-file",
            paramLabel = "FILE",
            description = "Like --requirepass, the password read from a file (one line; refused if others can read"
                    + " it). The same on every node: followers AUTH with it when they forward to the leader.")
    Path requirepassFile;

    @Option(
            names = "--client-tls-cert",
            paramLabel = "PEM",
            description = "Serve Redis clients over TLS with this certificate chain (with --client-tls-key and"
                    + " --client-tls-ca: client certificates are checked against the CA when presented, and"
                    + " followers trust it when they forward to the leader).")
    Path clientTlsCert;

    @Option(names = "--client-tls-key", paramLabel = "PEM", description = "The RESP certificate's private key.")
    Path clientTlsKey;

    @Option(names = "--client-tls-ca", paramLabel = "PEM", description = "The CA for --client-tls.")
    Path clientTlsCa;

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
                    loops,
                    security(),
                    databases,
                    groups);
        } catch (StartupException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private KvSecurity security() {
        TlsFiles peerTls = peerTlsCert == null && peerTlsKey == null && peerTlsCa == null
                ? null
                : new TlsFiles("--peer-tls", peerTlsCert, peerTlsKey, peerTlsCa);
        TlsFiles adminTls = adminTlsCert == null && adminTlsKey == null && adminTlsCa == null
                ? null
                : new TlsFiles("--admin-tls", adminTlsCert, adminTlsKey, adminTlsCa);
        KvSecurity security = new KvSecurity(
                peerTls,
                peerTlsVerifyHostname,
                null,
                adminTls,
                tlsReloadPollMs,
                requirepass(),
                clientTlsCert == null && clientTlsKey == null && clientTlsCa == null
                        ? null
                        : new TlsFiles("--client-tls", clientTlsCert, clientTlsKey, clientTlsCa));
        return adminTokenFile == null ? security : security.withAdminTokenFile(adminTokenFile);
    }

    private io.raftmanager.examples.kv.security.Secret requirepass() {
        if (requirepass != null && requirepassFile != null) {
            throw new StartupException("give --requirepass or --requirepass-file, not both");
        }
        if (requirepassFile != null) {
            return SecretFiles.readSecret("--requirepass-file", requirepassFile);
        }
        return requirepass == null || requirepass.isEmpty()
                ? null
                : io.raftmanager.examples.kv.security.Secret.of(requirepass);
    }

    private InetSocketAddress address(String flag, String value) {
        if (flag.equals("--http") && value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            value = "127.0.0.1:" + value;
        }
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
