package io.raftmanager;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's exactly-once session (Raft thesis §6.3): it numbers the client's commands, and the group
 * applies each number at most once, answering a retry with the first attempt's result. Get one from
 * {@link RaftNode#registerSession()}. Thread-safe.
 *
 * <p>A command's outcome may be unknown ({@link IndeterminateResultException}, for example when the
 * leader fails). Retry it with the <em>same</em> sequence number, at the new leader, until the outcome is
 * known:
 *
 * <pre>{@code
 * long seq = session.nextSequence();
 * ByteString result;
 * while (true) {
 *     try {
 *         result = session.propose(command, seq).join();
 *         break;
 *     } catch (CompletionException e) {
 *         if (!(e.getCause() instanceof IndeterminateResultException
 *                 || e.getCause() instanceof NotLeaderException)) {
 *             throw e; // this attempt is settled: see RaftNode's outcomes for what it says about the command
 *         }
 *         session.moveTo(currentLeader());
 *     }
 * }
 * }</pre>
 *
 * The session does not retry by itself: where the new leader is, and how long to wait for one, is the
 * host's business. Never reuse a sequence number for a different command: the retry would return the
 * other command's result.
 */
public final class ClientSession {
    private final long id;
    private final AtomicLong lastSequence;
    private volatile RaftNode node;

    private ClientSession(RaftNode node, long id, long lastSequence) {
        this.node = node;
        this.id = id;
        this.lastSequence = new AtomicLong(lastSequence);
    }

    /**
     * Resumes a registered session, for a client that restarted and kept its id and the last sequence
     * number it used; commands continue from {@code lastSequence + 1}.
     *
     * @throws IllegalArgumentException if {@code sessionId} is not positive or {@code lastSequence} is negative
     */
    public static ClientSession resume(RaftNode node, long sessionId, long lastSequence) {
        Objects.requireNonNull(node, "node");
        if (sessionId <= 0 || lastSequence < 0) {
            throw new IllegalArgumentException("session " + sessionId + ", last sequence " + lastSequence);
        }
        return new ClientSession(node, sessionId, lastSequence);
    }

    /** The session id: the log index of its registration entry. */
    public long id() {
        return id;
    }

    /** Reserves the next sequence number, for a command that may need retrying. */
    public long nextSequence() {
        return lastSequence.incrementAndGet();
    }

    /** Sends later proposals through {@code leader} (after a leader change); returns this session. */
    public ClientSession moveTo(RaftNode leader) {
        this.node = Objects.requireNonNull(leader, "leader");
        return this;
    }

    /** Proposes {@code command} with the next sequence number; see {@link RaftNode#propose(ByteString, long, long)}. */
    public CompletableFuture<ByteString> propose(ByteString command) {
        return propose(command, nextSequence());
    }

    /**
     * Proposes (or retries) {@code command} as sequence number {@code sequence}, which must come from
     * {@link #nextSequence()} and always go with the same command.
     */
    public CompletableFuture<ByteString> propose(ByteString command, long sequence) {
        if (sequence <= 0 || sequence > lastSequence.get()) {
            throw new IllegalArgumentException(
                    "sequence " + sequence + " was not reserved (last reserved " + lastSequence.get() + ")");
        }
        return node.propose(command, id, sequence);
    }
}
