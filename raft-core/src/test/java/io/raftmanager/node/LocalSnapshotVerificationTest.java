package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftmanager.RaftConfig;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.storage.file.FileSnapshotStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot restored from the node's own disk is checked against its payload checksum first. */
class LocalSnapshotVerificationTest {
    @TempDir
    Path dir;

    private static final RaftConfig CONFIG =
            RaftConfig.builder().nodeId(1).clusterId("c").build();

    @Test
    void aFlippedBitInALocalSnapshotIsRefusedBeforeTheStateMachineSeesIt() throws Exception {
        FileSnapshotStore store = new FileSnapshotStore(dir);
        SnapshotWriter w = store.create(SnapshotMeta.newBuilder()
                .setIndex(10)
                .setTerm(2)
                .setMembership(Membership.newBuilder().addVoters(1))
                .build());
        byte[] payload = new byte[4096];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        w.write(payload, 0, payload.length);
        SnapshotMeta meta = w.commit();
        assertDoesNotThrow(() -> DefaultRaftNode.verifyPayload(CONFIG, new FileSnapshotStore(dir), meta));

        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            file = all.stream()
                    .filter(p -> p.toString().endsWith(".snap"))
                    .findFirst()
                    .orElse(all.get(0));
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x04);
        }
        FileSnapshotStore reopened = new FileSnapshotStore(dir);
        SnapshotChecksumException e = assertThrows(
                SnapshotChecksumException.class,
                () -> DefaultRaftNode.verifyPayload(CONFIG, reopened, reopened.latest()));
        assertTrue(
                e.getMessage().contains("damaged") && e.getMessage().contains("recovers from its peers"),
                e.getMessage());
    }
}
