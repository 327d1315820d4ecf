package io.raftmanager.examples.kv;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The node's data directory and its identity file, {@value #IDENTITY_FILE}: written on first start with
 * the cluster id, node id and a CRC32C of both, checked on every later start, so that a directory is
 * never used by another node or cluster by mistake.
 *
 * <p>Storage faults (docs/storage-faults.md): an identity file whose checksum fails is damaged, not
 * foreign: it is rewritten and the start reported as a loss, as is an identity without the Raft log it
 * was written beside (the log directory was deleted or replaced). The node then recovers from its peers
 * before it votes. An intact identity of another node or cluster is still refused.
 */
public final class DataDir {
    public static final String IDENTITY_FILE = "raft-kv.properties";
    /** The directory of the Raft log, beside the identity file. */
    static final String LOG_DIR = "raft-log";

    private DataDir() {}

    /**
     * A prepared data directory.
     *
     * @param path the absolute directory
     * @param loss why the node's state must count as lost (damaged identity, log gone), or null
     */
    public record Opened(Path path, String loss) {}

    /**
     * Creates the directory if needed and checks that it belongs to this node.
     *
     * @throws StartupException if the directory cannot be used or belongs to another node or cluster
     */
    public static Path prepare(Path dir, String clusterId, long nodeId) {
        return open(dir, clusterId, nodeId, 1).path();
    }

    /**
     * As {@link #prepare(Path, String, long)}, also checking the number of groups the keys are sharded over:
     * restarting with another count would look keys up in the wrong group. A directory written before
     * sharding counts as one group.
     */
    public static Path prepare(Path dir, String clusterId, long nodeId, int groups) {
        return open(dir, clusterId, nodeId, groups).path();
    }

    /**
     * As {@link #prepare(Path, String, long, int)}, and reports whether the node's durable state must count
     * as lost.
     *
     * @throws StartupException if the directory cannot be used or belongs to another node or cluster
     */
    public static Opened open(Path dir, String clusterId, long nodeId, int groups) {
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
            boolean mentionsChecksum = false;
            try {
                String text = StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(Files.readAllBytes(identity)))
                        .toString();
                mentionsChecksum = text.contains("checksum");
                p.load(new StringReader(text));
            } catch (CharacterCodingException e) {
                p.clear(); // bytes that are not UTF-8: damaged, handled below (Jepsen disk faults, seed 100)
            } catch (IOException e) {
                throw new StartupException("cannot read " + identity + ": " + describe(e), e);
            } catch (IllegalArgumentException e) {
                p.clear(); // unparseable: damaged, handled below
            }
            String cluster = p.getProperty("cluster-id");
            String node = p.getProperty("node-id");
            String sum = p.getProperty("checksum");
            String had = p.getProperty("groups", "1");
            // Only a file of an older build has no checksum, and it never mentions one: a damaged byte can join
            // the checksum's line to another ("node-id=3checksum=...", Jepsen disk faults, seed 207).
            boolean wellFormed =
                    cluster != null && isNumber(node) && isNumber(had) && (sum != null || !mentionsChecksum);
            boolean intact = wellFormed && (sum == null || sum.equals(checksum(cluster, node, had)));
            if (!intact) {
                write(abs, clusterId, nodeId, groups);
                return new Opened(abs, "identity file " + identity + " is damaged (rewritten)");
            }
            if (!clusterId.equals(cluster) || !Long.toString(nodeId).equals(node)) {
                throw new StartupException("data directory " + abs + " belongs to node " + node + " of cluster '"
                        + cluster + "', not node " + nodeId + " of cluster '" + clusterId + "'");
            }
            if (!Integer.toString(groups).equals(had)) {
                throw new StartupException("data directory " + abs + " holds " + had + " group(s), not --groups "
                        + groups + ": keys would be looked up in the wrong group");
            }
            if (sum == null) {
                write(abs, clusterId, nodeId, groups); // written by an older build: add the checksum
            }
            if (!Files.isDirectory(abs.resolve(LOG_DIR))) {
                return new Opened(
                        abs,
                        "the Raft log " + abs.resolve(LOG_DIR) + " is gone but " + identity
                                + " shows this node was a member");
            }
            return new Opened(abs, null);
        }
        write(abs, clusterId, nodeId, groups);
        return new Opened(abs, null);
    }

    private static boolean isNumber(String s) {
        return s != null && !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A CRC32C of the identity; the group count is covered only when not 1 (files of older builds). */
    private static String checksum(String cluster, String node, String groups) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update((cluster + "\n" + node + ("1".equals(groups) ? "" : "\n" + groups)).getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(c.getValue());
    }

    private static void write(Path abs, String clusterId, long nodeId, int groups) {
        Path identity = abs.resolve(IDENTITY_FILE);
        Properties p = new Properties();
        p.setProperty("cluster-id", clusterId);
        p.setProperty("node-id", Long.toString(nodeId));
        if (groups != 1) {
            p.setProperty("groups", Integer.toString(groups));
        }
        p.setProperty("checksum", checksum(clusterId, Long.toString(nodeId), Integer.toString(groups)));
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
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
