package io.raftmanager.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmanager.SessionExpiredException;
import io.raftmanager.SessionLimitException;
import io.raftmanager.StateMachine;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.SessionEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Applies one committed entry on the applier thread: a plain command goes to the {@link StateMachine};
 * a session entry registers a session or goes through the {@link SessionTable} (so the state machine sees
 * each (session, sequence) at most once, and only the command bytes); a digest marker records the state
 * machine's digest and hands it to the {@link DigestSink}. Everything here is a function of the entries,
 * so every server reaches the same state.
 *
 * <p>Snapshots: the replicated runtime state is the session table plus the stream digest. {@link
 * #writeTo} / {@link #readFrom} save and restore both, next to the state machine's own snapshot taken
 * at the same applied index.
 */
final class CommandApplier implements SnapshotPart {
    /** Receives the digest recorded at each digest marker; called on the applier thread. */
    interface DigestSink {
        void recorded(long index, long digest);
    }

    private final StateMachine stateMachine;
    private final SessionTable sessions;
    private final StreamDigest stream = new StreamDigest();
    private final DigestSink sink;

    CommandApplier(StateMachine stateMachine, SessionTable sessions, DigestSink sink) {
        this.stateMachine = stateMachine;
        this.sessions = sessions;
        this.sink = sink;
    }

    /**
     * Applies {@code e}, completing {@code future} (if any) with its result or its session refusal.
     * Entries without a command (no-ops, configurations) only pass by.
     *
     * @throws RuntimeException whatever the state machine threw; the node must stop applying
     */
    void apply(Entry e, CompletableFuture<ByteString> future) {
        switch (e.getType()) {
            case ENTRY_TYPE_NORMAL -> {
                ByteString result = stateMachine.apply(e.getIndex(), e.getData());
                stream.add(e.getIndex(), e.getData(), result);
                complete(future, result);
            }
            case ENTRY_TYPE_SESSION -> applySession(e, future);
            case ENTRY_TYPE_DIGEST_MARKER -> sink.recorded(e.getIndex(), digest());
            default -> {}
        }
    }

    private void applySession(Entry e, CompletableFuture<ByteString> future) {
        SessionEntry s;
        try {
            s = SessionEntry.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            // The leader encoded it; unreadable bytes mean corruption, and skipping would diverge.
            throw new IllegalStateException("unreadable session entry at index " + e.getIndex(), ex);
        }
        if (s.hasLeaderElapsedMillis()) {
            sessions.advanceClock(e.getTerm(), s.getLeaderElapsedMillis());
        }
        if (s.getSessionId() == 0) {
            try {
                sessions.register(e.getIndex());
            } catch (SessionLimitException full) {
                stream.add(e.getIndex(), e.getData(), ByteString.copyFromUtf8("SESSION_LIMIT"));
                if (future != null) {
                    future.completeExceptionally(full);
                }
                return;
            }
            ByteString id = ByteString.copyFrom(
                    ByteBuffer.allocate(Long.BYTES).putLong(e.getIndex()).array());
            stream.add(e.getIndex(), e.getData(), id);
            complete(future, id);
            return;
        }
        ByteString result;
        try {
            result = sessions.lookup(s.getSessionId(), s.getSequence());
        } catch (SessionExpiredException refused) {
            stream.add(
                    e.getIndex(),
                    e.getData(),
                    ByteString.copyFromUtf8(refused.reason().name()));
            if (future != null) {
                future.completeExceptionally(refused);
            }
            return;
        }
        if (result == null) {
            result = stateMachine.apply(e.getIndex(), s.getCommand());
            if (result == null) {
                result = ByteString.EMPTY;
            }
            sessions.record(s.getSessionId(), s.getSequence(), result);
        }
        stream.add(e.getIndex(), e.getData(), result);
        complete(future, result);
    }

    /** The digest to compare across servers: the state machine's own, or else the stream digest. */
    long digest() {
        OptionalLong own = stateMachine.digest();
        return own.isPresent() ? own.getAsLong() : stream.value();
    }

    SessionTable sessions() {
        return sessions;
    }

    /** Decodes the session id a registration entry's result carries. */
    static long sessionId(ByteString registrationResult) {
        return registrationResult.asReadOnlyByteBuffer().getLong();
    }

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public byte[] capture() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    @Override
    public void restore(byte[] data) {
        try {
            if (data == null) {
                // A snapshot without the section was taken before any session existed.
                stream.reset(0);
                sessions.clear();
            } else {
                readFrom(new ByteArrayInputStream(data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable session section in a snapshot", e);
        }
    }

    /** Writes the replicated runtime state (stream digest, then the session table) for a snapshot. */
    void writeTo(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(stream.value());
        d.flush();
        sessions.writeTo(out);
    }

    /** Restores what {@link #writeTo} wrote, when installing a snapshot. */
    void readFrom(InputStream in) throws IOException {
        stream.reset(new DataInputStream(in).readLong());
        sessions.readFrom(in);
    }

    private static void complete(CompletableFuture<ByteString> future, ByteString result) {
        if (future != null) {
            future.complete(result);
        }
    }
}
