package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity file: damage is a reported loss (the node recovers), a foreign identity a refusal. */
class DataDirTest {
    @TempDir
    Path dir;

    private Path identity() {
        return dir.resolve(DataDir.IDENTITY_FILE);
    }

    private void prepareWithLog() throws Exception {
        DataDir.prepare(dir, "c", 1);
        Files.createDirectories(dir.resolve(DataDir.LOG_DIR));
    }

    @Test
    void anIntactIdentityWithItsLogIsNoLoss() throws Exception {
        prepareWithLog();
        assertNull(DataDir.open(dir, "c", 1, 1).loss());
    }

    @Test
    void aChecksumMismatchIsADamagedIdentityAndItIsRewritten() throws Exception {
        prepareWithLog();
        String text = Files.readString(identity());
        Files.writeString(identity(), text.replace("node-id=1", "node-id=7"));
        DataDir.Opened opened = DataDir.open(dir, "c", 1, 1);
        assertTrue(opened.loss().contains("is damaged"), opened.loss());
        assertNull(DataDir.open(dir, "c", 1, 1).loss(), "rewritten intact");
    }

    /** Flipped bits that are not UTF-8 made the file unreadable and the node refuse to start. */
    @Test
    void bytesThatAreNotUtf8AreADamagedIdentityNotAFailedStart() throws Exception {
        prepareWithLog();
        byte[] bytes = Files.readAllBytes(identity());
        bytes[bytes.length / 2] = (byte) 0xFF;
        Files.write(identity(), bytes);
        DataDir.Opened opened = DataDir.open(dir, "c", 1, 1);
        assertTrue(opened.loss().contains("is damaged"), opened.loss());
    }

    /** A damaged line break joined "node-id=1" and the checksum line: no checksum, and a malformed id. */
    @Test
    void twoLinesJoinedByADamagedByteAreADamagedIdentityNotAnotherNode() throws Exception {
        prepareWithLog();
        String text = Files.readString(identity());
        int at = text.indexOf("\nchecksum=");
        assertTrue(at > 0, text);
        Files.writeString(identity(), text.substring(0, at) + "\u000b" + text.substring(at + 1));
        DataDir.Opened opened = DataDir.open(dir, "c", 1, 1);
        assertTrue(opened.loss() != null && opened.loss().contains("is damaged"), String.valueOf(opened.loss()));
    }

    @Test
    void anIdentityWithoutAChecksumFromAnOlderBuildIsKept() throws Exception {
        prepareWithLog();
        Files.writeString(identity(), "cluster-id=c\nnode-id=1\n");
        assertNull(DataDir.open(dir, "c", 1, 1).loss());
        assertTrue(Files.readString(identity()).contains("checksum="), "the checksum is added");
    }

    @Test
    void anIntactIdentityOfAnotherNodeIsRefused() throws Exception {
        prepareWithLog();
        StartupException e = assertThrows(StartupException.class, () -> DataDir.open(dir, "c", 2, 1));
        assertEquals(
                "data directory " + dir.toAbsolutePath().normalize()
                        + " belongs to node 1 of cluster 'c', not node 2 of cluster 'c'",
                e.getMessage());
    }
}
