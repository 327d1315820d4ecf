package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import io.raftmanager.StateSnapshot;
import io.raftmanager.proto.SnapshotMeta;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A small KV state machine for simulations of the real runtime: {@code PUT k v} and {@code INCR k d}
 * commands, {@code k} queries (answering {@code -} for an absent key), snapshots of the whole map. Every
 * apply is reported to {@code onApply} so a simulation can check that servers apply the same command at
 * each index.
 */
final class SimKvMachine implements StateMachine {
    static final String ABSENT = "-";
    private final Map<String, String> data = new TreeMap<>();
    private final BiConsumer<Long, ByteString> onApply;
    private final boolean onLoop;

    SimKvMachine(BiConsumer<Long, ByteString> onApply, boolean onLoop) {
        this.onApply = onApply;
        this.onLoop = onLoop;
    }

    @Override
    public boolean applyOnEventLoop() {
        return onLoop;
    }

    @Override
    public ByteString apply(long index, ByteString command) {
        onApply.accept(index, command);
        String[] p = command.toStringUtf8().split(" ");
        String result;
        if (p[0].equals("PUT")) {
            data.put(p[1], p[2]);
            result = "OK";
        } else {
            long next = Long.parseLong(data.getOrDefault(p[1], "0")) + Long.parseLong(p[2]);
            result = Long.toString(next);
            data.put(p[1], result);
        }
        return ByteString.copyFromUtf8(result);
    }

    @Override
    public ByteString query(ByteString query) {
        return ByteString.copyFromUtf8(data.getOrDefault(query.toStringUtf8(), ABSENT));
    }

    @Override
    public StateSnapshot snapshot(long appliedIndex) {
        StringBuilder sb = new StringBuilder();
        data.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        return out -> out.write(bytes);
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
        data.clear();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            int sp = line.indexOf(' ');
            data.put(line.substring(0, sp), line.substring(sp + 1));
        }
    }

    /** The state, for comparing servers. */
    String state() {
        return data.toString();
    }
}
