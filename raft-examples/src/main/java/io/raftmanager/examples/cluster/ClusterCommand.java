package io.raftmanager.examples.cluster;

import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.KvNodeConfig;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raft-kv cluster}: a local cluster with one command. Each node is a separate JVM running {@code
 * raft-kv node} from the same jar (or, with --in-process, all nodes share this JVM). Prints the endpoints,
 * the leader and every leader change; Ctrl-C stops every node cleanly.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Start a local cluster of KV nodes on 127.0.0.1 and watch its leader.",
        sortOptions = false)
public final class ClusterCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--base-port",
            defaultValue = "6380",
            description = "Node i listens for Redis on BASE+i, for Raft on BASE+1000+i and for HTTP on BASE+2000+i"
                    + " (default: ${DEFAULT-VALUE}: redis 6381.., raft 7381.., http 8381..).")
    int basePort;

    @Option(
            names = "--data",
            defaultValue = "data/cluster",
            paramLabel = "DIR",
            description = "Parent of the nodes' data directories n1, n2, ... (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--in-process", description = "Run every node in this JVM instead of one process per node.")
    boolean inProcess;

    @Option(
            names = "--election-timeout-ms",
            defaultValue = "1000",
            description = "Passed to every node (default: ${DEFAULT-VALUE}).")
    int electionTimeoutMs;

    @Option(
            names = "--heartbeat-ms",
            defaultValue = "100",
            description = "Passed to every node (default: ${DEFAULT-VALUE}).")
    int heartbeatMs;

    @Option(
            names = "--storage",
            defaultValue = "rocksdb",
            description = "Passed to every node (default: ${DEFAULT-VALUE}).")
    String storage;

    @Option(
            names = "--max-bulk-bytes",
            defaultValue = "" + KvNodeConfig.DEFAULT_MAX_BULK_BYTES,
            description = "Passed to every node (default: ${DEFAULT-VALUE}).")
    int maxBulkBytes;

    @Option(
            names = "--loops",
            defaultValue = "0",
            description = "Event-loop threads per node; 0 (the default) shares the machine's cores among the nodes,"
                    + " at least one each, since they all run on this machine.")
    int loops;

    /** Nodes on one machine share its cores: more loops than cores per node only add context switches. */
    int loopsPerNode() {
        return loops > 0 ? loops : Math.max(1, Runtime.getRuntime().availableProcessors() / nodes);
    }

    @Option(
            names = "--secure",
            description = "Generate a throwaway CA, node certificates, an admin token and a Redis password under"
                    + " DATA/secure, and run with mutual TLS between nodes, Redis clients over TLS with the"
                    + " password, and an HTTPS admin API that wants the token. Prints how to connect.")
    boolean secure;

    @Option(
            names = "--peer-tls",
            description = "Only the peer part of --secure: mutual TLS between nodes with throwaway certificates; the"
                    + " admin API and Redis clients as without it (for measuring what peer TLS costs).")
    boolean peerTls;

    @Option(
            names = "--groups",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Raft groups the keys are sharded over, every node hosting every group (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--run-for-ms", hidden = true, defaultValue = "0", description = "Stop after this long (tests).")
    long runForMs;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 9) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--nodes must be between 1 and 9, was " + nodes);
        }
        if (basePort < 1 || basePort + 2000 + nodes > 65535) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--base-port " + basePort + " leaves no room for the ports");
        }
        Map<Long, InetSocketAddress> raft = new LinkedHashMap<>();
        for (long i = 1; i <= nodes; i++) {
            raft.put(i, new InetSocketAddress("127.0.0.1", port(i, 1000)));
        }
        List<Member> members = new ArrayList<>();
        for (long i = 1; i <= nodes; i++) {
            members.add(new Member(i, "127.0.0.1:" + port(i, 0), "127.0.0.1:" + port(i, 2000)));
        }
        out.printf(
                "starting %d nodes (%s), data under %s%n",
                nodes, inProcess ? "in this JVM" : "one JVM each", data.toAbsolutePath());
        for (Member m : members) {
            out.printf(
                    "  node %d: redis %s  http %s://%s/status  raft 127.0.0.1:%d%n",
                    m.id(), m.redis(), secure ? "https" : "http", m.http(), port(m.id(), 1000));
        }
        SecureSetup sec = secure || peerTls ? SecureSetup.generate(data.resolve("secure"), nodes, secure) : null;
        if (sec != null) {
            printSecureHowTo(sec, members);
        }
        Runnable stop;
        if (inProcess) {
            List<KvNode> started = new ArrayList<>();
            for (long i = 1; i <= nodes; i++) {
                KvNodeConfig c = config(i, raft);
                started.add(KvNode.start(sec == null ? c : c.withSecurity(sec.security(i))));
            }
            stop = () -> started.forEach(KvNode::close);
        } else {
            NodeProcesses processes = new NodeProcesses(out);
            for (long i = 1; i <= nodes; i++) {
                List<String> args = new ArrayList<>(nodeArgs(i, raft));
                if (sec != null) {
                    args.addAll(sec.nodeArgs(i));
                }
                processes.start(i, args);
            }
            stop = processes::stopAll;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        LeaderWatch watch = sec == null || !sec.full
                ? new LeaderWatch(members, out, null, null)
                : new LeaderWatch(members, out, sec.clientTls(), sec.adminToken);
        Thread hook = new Thread(
                () -> {
                    watch.close();
                    out.println("stopping all nodes...");
                    stop.run();
                    out.println("all nodes stopped");
                    stopped.countDown();
                },
                "raft-kv-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (secure) {
            out.printf("try the redis-cli line above with: set hello world   (Ctrl-C stops the cluster)%n");
        } else {
            out.printf(
                    "try: redis-cli -p %d set hello world && redis-cli -p %d get hello   (Ctrl-C stops the cluster)%n",
                    port(1, 0), port(nodes, 0));
        }
        watch.start();
        if (runForMs > 0) {
            if (!stopped.await(runForMs, TimeUnit.MILLISECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                hook.run();
            }
        } else {
            stopped.await();
        }
        watch.close();
        return 0;
    }

    /** How to reach a secure cluster: the files, and commands that use them (never the secrets themselves). */
    private void printSecureHowTo(SecureSetup sec, List<Member> members) {
        out.printf(
                "secure mode: throwaway CA, node certificates, admin token and Redis password under %s%n",
                sec.dir.toAbsolutePath());
        out.printf("  peers: mutual TLS, node ids bound to certificates (SAN urn:raft-manager:node:N)%n");
        if (!sec.full) {
            return;
        }
        out.printf(
                "  admin: curl --cacert %s -H \"Authorization: Bearer $(cat %s)\" https://%s/status%n",
                sec.ca().toAbsolutePath(),
                sec.tokenFile().toAbsolutePath(),
                members.get(0).http());
        out.printf(
                "  redis: redis-cli --tls --cacert %s -p %s --askpass   (the password is in %s)%n",
                sec.ca().toAbsolutePath(),
                members.get(0).redis().substring(members.get(0).redis().lastIndexOf(':') + 1),
                sec.passwordFile().toAbsolutePath());
    }

    private int port(long id, int offset) {
        return basePort + offset + (int) id;
    }

    private KvNodeConfig config(long id, Map<Long, InetSocketAddress> raft) {
        return new KvNodeConfig(
                        id,
                        "raft-kv",
                        raft.get(id),
                        new InetSocketAddress("127.0.0.1", port(id, 0)),
                        new InetSocketAddress("127.0.0.1", port(id, 2000)),
                        raft,
                        data.resolve("n" + id),
                        false,
                        electionTimeoutMs,
                        heartbeatMs,
                        KvNodeConfig.DEFAULT_SNAPSHOT_ENTRIES,
                        KvNodeConfig.DEFAULT_SNAPSHOT_TRAILING_ENTRIES,
                        maxBulkBytes,
                        5_000,
                        storage,
                        loopsPerNode())
                .withGroups(groups);
    }

    private List<String> nodeArgs(long id, Map<Long, InetSocketAddress> raft) {
        StringBuilder peers = new StringBuilder();
        raft.forEach((i, a) -> peers.append(peers.length() == 0 ? "" : ",")
                .append(i)
                .append('=')
                .append(KvNode.hostPort(a)));
        return List.of(
                "node",
                "--id",
                Long.toString(id),
                "--raft",
                "127.0.0.1:" + port(id, 1000),
                "--redis",
                "127.0.0.1:" + port(id, 0),
                "--http",
                "127.0.0.1:" + port(id, 2000),
                "--peers",
                peers.toString(),
                "--data",
                data.resolve("n" + id).toString(),
                "--election-timeout-ms",
                Integer.toString(electionTimeoutMs),
                "--heartbeat-ms",
                Integer.toString(heartbeatMs),
                "--storage",
                storage,
                "--max-bulk-bytes",
                Integer.toString(maxBulkBytes),
                "--loops",
                Integer.toString(loopsPerNode()),
                "--groups",
                Integer.toString(groups));
    }

    /** One node's client endpoints. */
    record Member(long id, String redis, String http) {}

    static Duration pollInterval() {
        return Duration.ofMillis(250);
    }
}
