package io.raftmanager.testkit;

import com.google.protobuf.ByteString;
import io.raftmanager.ClosedException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import io.raftmanager.ReplicaDivergedException;
import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import io.raftmanager.testkit.linearizability.Model;
import io.raftmanager.testkit.linearizability.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Records what clients of a {@link SimCluster} asked and saw, in virtual time, as a history for the
 * {@link LinearizabilityChecker}. Writes are proposed with {@link RaftNode#propose(ByteString)}, reads go
 * through {@link RaftNode#read} with the consistency the {@link Codec} picks.
 *
 * <p>Outcomes follow {@link RaftNode}'s contract: a result is {@link Operation.Outcome#OK}; a definite
 * rejection (not leader, overloaded, dropped, diverged, closed before proposing) is {@link
 * Operation.Outcome#FAILED}; anything else, and every operation still pending when the history is read,
 * is {@link Operation.Outcome#UNKNOWN}: it may or may not have taken effect. A failed read is FAILED
 * whatever the cause, since a read changes nothing.
 *
 * @param <I> an operation's input, as your {@link Model} sees it
 * @param <O> an operation's output
 */
public final class ClientHistory<I, O> {
    /**
     * How operations travel to your state machine and back.
     *
     * @param <I> an operation's input
     * @param <O> an operation's output
     */
    public interface Codec<I, O> {
        /** The command (for a write) or query (for a read) that carries {@code input}. */
        ByteString encode(I input);

        /** The output for {@code input}, from the state machine's result or query answer. */
        O decode(I input, ByteString result);

        /** Whether {@code input} is a read, answered by {@link io.raftmanager.StateMachine#query}. */
        boolean isRead(I input);

        /** The consistency a read asks for; default {@link ReadConsistency#LINEARIZABLE}. */
        default ReadConsistency readConsistency(I input) {
            return ReadConsistency.LINEARIZABLE;
        }
    }

    private record Pending<I>(int client, I input, long callNanos) {}

    private final SimCluster cluster;
    private final Codec<I, O> codec;
    private final List<Operation<I, O>> done = new ArrayList<>();
    private final Map<Long, Pending<I>> pending = new LinkedHashMap<>();
    private long nextId;

    ClientHistory(SimCluster cluster, Codec<I, O> codec) {
        this.cluster = cluster;
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Issues {@code input} for {@code client} at the server that believes it leads (a random running server
     * when none does), and records it when it completes.
     *
     * @return the operation's output, or the node's exception
     */
    public CompletableFuture<O> invoke(int client, I input) {
        List<Long> candidates = cluster.leaders();
        if (candidates.isEmpty()) {
            for (long id : cluster.ids()) {
                if (cluster.isRunning(id)) {
                    candidates.add(id);
                }
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no server is running");
        }
        return invokeAt(candidates.get(cluster.random().nextInt(candidates.size())), client, input);
    }

    /**
     * Issues {@code input} for {@code client} at server {@code nodeId}, and records it when it completes.
     *
     * @return the operation's output, or the node's exception
     */
    public CompletableFuture<O> invokeAt(long nodeId, int client, I input) {
        RaftNode node = cluster.node(nodeId);
        long id = nextId++;
        long call = cluster.nanoTime();
        pending.put(id, new Pending<>(client, input, call));
        boolean read = codec.isRead(input);
        CompletableFuture<ByteString> raw =
                read ? node.read(codec.encode(input), codec.readConsistency(input)) : node.propose(codec.encode(input));
        return raw.handle((result, error) -> {
            pending.remove(id);
            long ret = cluster.nanoTime();
            if (error == null) {
                O out = codec.decode(input, result);
                done.add(Operation.ok(client, input, out, call, ret));
                return out;
            }
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (read || definitelyNotApplied(cause)) {
                done.add(Operation.failed(client, input, call, ret));
            } else {
                done.add(Operation.unknown(client, input, call));
            }
            throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        });
    }

    private static boolean definitelyNotApplied(Throwable t) {
        return t instanceof NotLeaderException
                || t instanceof OverloadedException
                || t instanceof ProposalDroppedException
                || t instanceof ReplicaDivergedException
                || t instanceof ClosedException;
    }

    /** Operations issued and not completed yet. */
    public int pending() {
        return pending.size();
    }

    /** The history so far: completed operations, then the pending ones as {@link Operation.Outcome#UNKNOWN}. */
    public List<Operation<I, O>> operations() {
        List<Operation<I, O>> out = new ArrayList<>(done);
        for (Pending<I> p : pending.values()) {
            out.add(Operation.unknown(p.client(), p.input(), p.callNanos()));
        }
        return out;
    }

    /** How many operations completed with each outcome, for asserting that a run did real work. */
    public Map<Operation.Outcome, Integer> outcomes() {
        Map<Operation.Outcome, Integer> counts = new LinkedHashMap<>();
        for (Operation<I, O> op : operations()) {
            counts.merge(op.outcome(), 1, Integer::sum);
        }
        return counts;
    }

    /** Checks the history against {@code model}, with a budget of 30 seconds of real time. */
    public <S> CheckResult check(Model<S, I, O> model) {
        return check(model, Duration.ofSeconds(30));
    }

    /** Checks the history against {@code model}, with {@code budget} of real time. */
    public <S> CheckResult check(Model<S, I, O> model, Duration budget) {
        return LinearizabilityChecker.check(model, operations(), budget);
    }
}
