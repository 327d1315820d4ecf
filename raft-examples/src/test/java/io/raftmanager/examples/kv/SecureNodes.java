package io.raftmanager.examples.kv;

import io.raftmanager.examples.kv.security.KvSecurity;
import io.raftmanager.examples.kv.security.Pki;
import io.raftmanager.examples.kv.security.Secret;
import io.raftmanager.examples.kv.security.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process KV nodes on 127.0.0.1 with peer mutual TLS, certificates made at test time by a throwaway
 * {@link Pki} (nothing private is committed). Each node's files live in {@code dir/nN/}.
 */
final class SecureNodes implements AutoCloseable {
    static final Duration BOUND = Duration.ofSeconds(60);

    final Path dir;
    final Map<Long, InetSocketAddress> raft = new LinkedHashMap<>();
    final Map<Long, KvNode> nodes = new LinkedHashMap<>();
    /** When set, every node serves the admin API on a free loopback port and requires this token. */
    Secret adminToken;
    /** When set, RESP clients (and forwarding followers) must AUTH with it. */
    Secret requirepass;
    /** When set, the RESP port speaks TLS with each node's certificate and this CA. */
    boolean clientTls;

    private final List<KvNode> all = new ArrayList<>();

    SecureNodes(Path dir, int count) {
        this.dir = dir;
        for (long id = 1; id <= count; id++) {
            raft.put(id, TestNodes.local(TestNodes.freePort()));
        }
    }

    Path certFile(long id) {
        return dir.resolve("n" + id + "-tls").resolve("cert.pem");
    }

    Path keyFile(long id) {
        return dir.resolve("n" + id + "-tls").resolve("key.pem");
    }

    Path caFile(long id) {
        return dir.resolve("n" + id + "-tls").resolve("ca.pem");
    }

    /** Installs {@code issued} and trust in {@code cas} as node {@code id}'s files, each replaced atomically. */
    void install(long id, Pki.Issued issued, Pki... cas) {
        try {
            Path d = Files.createDirectories(dir.resolve("n" + id + "-tls"));
            Path cert = d.resolve("cert.new");
            Path key = d.resolve("key.new");
            Pki.write(issued, cert, key);
            StringBuilder trust = new StringBuilder();
            for (Pki ca : cas) {
                Path one = d.resolve("ca.one");
                ca.writeCa(one);
                trust.append(Files.readString(one));
                Files.delete(one);
            }
            Path ca = d.resolve("ca.new");
            Files.writeString(ca, trust);
            Files.move(ca, caFile(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(key, keyFile(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(cert, certFile(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    KvSecurity security(long id, Secret adminToken) {
        // Polling off: reloads happen when a test asks (as SIGHUP would), so they are not left to timing.
        return new KvSecurity(
                new TlsFiles("--peer-tls", certFile(id), keyFile(id), caFile(id)),
                false,
                adminToken,
                null,
                0,
                requirepass,
                clientTls ? new TlsFiles("--client-tls", certFile(id), keyFile(id), caFile(id)) : null);
    }

    KvNodeConfig config(long id) {
        return new KvNodeConfig(
                        id,
                        "secure",
                        raft.get(id),
                        TestNodes.local(TestNodes.freePort()),
                        adminToken == null ? null : TestNodes.local(TestNodes.freePort()),
                        raft,
                        dir.resolve("n" + id),
                        false,
                        600,
                        100,
                        0,
                        0,
                        KvNodeConfig.DEFAULT_MAX_BULK_BYTES,
                        10_000,
                        "rocksdb", // a restarted node keeps its log, as a real one does
                        1)
                .withSecurity(security(id, adminToken));
    }

    KvNode start(long id) {
        KvNode n = KvNode.start(config(id));
        nodes.put(id, n);
        all.add(n);
        return n;
    }

    void stop(long id) {
        KvNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
    }

    /** The node that leads, once one of {@code among} does. */
    KvNode awaitLeader(Duration timeout, long... among) throws Exception {
        KvNode[] found = new KvNode[1];
        TestNodes.await("a leader among " + java.util.Arrays.toString(among), timeout, () -> {
            for (long id : among) {
                KvNode n = nodes.get(id);
                if (n != null && n.isLeader()) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void close() {
        all.forEach(KvNode::close);
    }
}
