package io.raftmanager.testkit.example;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.proto.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The kind of state machine a user writes: a tally that commands add to ("add 5" as an 8-byte amount)
 * and a query reads. Each add returns the new total. Snapshots are the total's 8 bytes.
 */
final class TallyStateMachine implements StateMachine {
    private long total;

    static ByteString add(long amount) {
        return ByteString.copyFrom(
                ByteBuffer.allocate(Long.BYTES).putLong(amount).flip());
    }

    static long decode(ByteString bytes) {
        return bytes.asReadOnlyByteBuffer().getLong();
    }

    @Override
    public ByteString apply(long index, ByteString command) {
        total += decode(command);
        return add(total);
    }

    @Override
    public ByteString query(ByteString query) {
        return add(total);
    }

    @Override
    public StateSnapshot snapshot(long appliedIndex) {
        long value = total;
        return new StateSnapshot() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(add(value).toByteArray());
            }
        };
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
        total = decode(ByteString.readFrom(in));
    }

    @Override
    public void close() {}
}
