package io.raftmanager.examples.kv;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The node's data directory and its identity file, {@value #IDENTITY_FILE}: written on first start with
 * the cluster id and node id, checked on every later start, so that a directory is never used by
 * another node or cluster by mistake.
 */
public final class DataDir {
    public static final String IDENTITY_FILE = "raft-kv.properties";

    private DataDir() {}

    /**
     * Creates the directory if needed and checks that it belongs to this node.
     *
     * @throws StartupException if the directory cannot be used or belongs to another node or cluster
     */
    public static Path prepare(Path dir, String clusterId, long nodeId) {
        return prepare(dir, clusterId, nodeId, 1);
    }

    /**
     * As {@link #prepare(Path, String, long)}, also checking the number of groups the keys are sharded over:
     * restarting with another count would look keys up in the wrong group. A directory written before
     * sharding counts as one group.
     */
    public static Path prepare(Path dir, String clusterId, long nodeId, int groups) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                throw new StartupException("data directory " + abs + " is not a directory");
            }
            Files.createDirectories(abs);
        } catch (IOException | SecurityException e) {
            throw new StartupException("cannot create data directory " + abs + ": " + describe(e), e);
        }
        if (!Files.isWritable(abs)) {
            throw new StartupException("data directory " + abs + " is not writable");
        }
        Path identity = abs.resolve(IDENTITY_FILE);
        if (Files.exists(identity)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(identity, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new StartupException("cannot read " + identity + ": " + describe(e), e);
            }
            String cluster = p.getProperty("cluster-id");
            String node = p.getProperty("node-id");
            if (!clusterId.equals(cluster) || !Long.toString(nodeId).equals(node)) {
                throw new StartupException("data directory " + abs + " belongs to node " + node + " of cluster '"
                        + cluster + "', not node " + nodeId + " of cluster '" + clusterId + "'");
            }
            String had = p.getProperty("groups", "1");
            if (!Integer.toString(groups).equals(had)) {
                throw new StartupException("data directory " + abs + " holds " + had + " group(s), not --groups "
                        + groups + ": keys would be looked up in the wrong group");
            }
            return abs;
        }
        Properties p = new Properties();
        p.setProperty("cluster-id", clusterId);
        p.setProperty("node-id", Long.toString(nodeId));
        if (groups != 1) {
            p.setProperty("groups", Integer.toString(groups));
        }
        Path tmp = abs.resolve(IDENTITY_FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "raft-kv node identity; do not edit");
        } catch (IOException e) {
            throw new StartupException("cannot write " + tmp + ": " + describe(e), e);
        }
        try {
            Files.move(tmp, identity, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StartupException("cannot write " + identity + ": " + describe(e), e);
        }
        return abs;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
