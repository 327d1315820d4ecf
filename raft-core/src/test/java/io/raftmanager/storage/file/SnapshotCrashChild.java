package io.raftmanager.storage.file;

import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The process {@link FileSnapshotStoreCrashTest} kills: writes snapshots of index 1, 2, 3, ... into a
 * {@link FileSnapshotStore}, each of a size and content derived from its index, and prints each index
 * after its commit returned. It also keeps a received snapshot partly written.
 */
public final class SnapshotCrashChild {
    private SnapshotCrashChild() {}

    static byte[] content(long index) {
        SplittableRandom r = new SplittableRandom(index);
        byte[] b = new byte[50_000 + r.nextInt(400_000)];
        r.nextBytes(b);
        return b;
    }

    public static void main(String[] args) {
        FileSnapshotStore store = new FileSnapshotStore(Path.of(args[0]));
        long index = store.latest() == null ? 1 : store.latest().getIndex() + 1;
        for (; ; index++) {
            byte[] data = content(index);
            SnapshotWriter w = store.create(
                    SnapshotMeta.newBuilder().setIndex(index).setTerm(1).build());
            for (int off = 0; off < data.length; off += 8192) {
                w.write(data, off, Math.min(8192, data.length - off));
            }
            w.commit();
            System.out.println(index);
            System.out.flush();
        }
    }
}
