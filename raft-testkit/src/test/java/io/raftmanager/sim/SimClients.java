package io.raftmanager.sim;

import com.google.protobuf.ByteString;
import io.raftmanager.NotLeaderException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.Role;
import io.raftmanager.core.ReadState;
import io.raftmanager.core.Ready;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Entry;
import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.KvModel;
import io.raftmanager.testkit.linearizability.KvModel.Input;
import io.raftmanager.testkit.linearizability.KvModel.Output;
import io.raftmanager.testkit.linearizability.LinearizabilityChecker;
import io.raftmanager.testkit.linearizability.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Simulated clients of a key-value service on the cluster, whose every operation is recorded in a
 * history that the {@link LinearizabilityChecker} checks at the end of the run.
 *
 * <p>Each client has one operation in flight. Writes (PUT, CAS, INCR, DELETE) go to a server that
 * believes it leads and complete when that server applies the entry (OK), or when it applies another
 * entry at that index (FAILED: never applied); a crash of that server or a timeout makes the outcome
 * UNKNOWN, after which the client may retry the same command. Reads (GET) are linearizable (ReadIndex on a
 * leader), lease reads or follower reads, and are served once the server has applied up to the read
 * index; a read that never returns constrains nothing. A read may be sent to a paused server: it waits
 * there, as in a stalled process's inbox, and reaches the core when the server resumes, before the ticks
 * it missed (the order of the runtime's loop), with the clock reading of that moment.
 * Values written are unique, which keeps the check cheap.
 */
final class SimClients {
    static final int CLIENTS = 8;
    /** Steps a client waits for an answer before giving up (the outcome of a write is then unknown). */
    static final long TIMEOUT = 150;

    private static final String[] REGISTERS = {"a", "b", "c"};
    private static final String COUNTER = "n";
    private static final Duration CHECK_BUDGET = Duration.ofSeconds(60);

    enum Mode {
        LINEARIZABLE,
        LEASE,
        FOLLOWER
    }

    private record Pending(
            int client, Input input, long node, long call, EntryId entry, ByteString context, Mode mode, long[] index) {
        boolean isRead() {
            return context != null;
        }
    }

    private final List<SimNode> nodes;
    private final SimOptions options;
    private final SimVariant variant;
    private final SimStats stats;
    private final Consumer<String> event;
    private final SplittableRandom rnd;
    private final SimKvStore store = new SimKvStore();
    private final List<Operation<Input, Output>> history = new ArrayList<>();
    private final Pending[] inFlight = new Pending[CLIENTS];
    private final Input[] retry = new Input[CLIENTS];
    private final long[] lastServer = new long[CLIENTS];
    /** The last value each client saw for each key, which its next CAS expects. */
    private final List<Map<String, String>> lastSeen = new ArrayList<>();

    private final Set<ByteString> finishedReads = new HashSet<>();
    /** Per server, reads sent to it while it was paused, in arrival order. */
    private final Map<Long, List<Pending>> held = new HashMap<>();

    private final Set<ByteString> heldContexts = new HashSet<>();
    private long seq;

    SimClients(
            long seed,
            List<SimNode> nodes,
            SimOptions options,
            SimVariant variant,
            SimStats stats,
            Consumer<String> event) {
        this.nodes = nodes;
        this.options = options;
        this.variant = variant;
        this.stats = stats;
        this.event = event;
        this.rnd = new SplittableRandom(seed * 0x9e3779b97f4a7c15L + 29);
        for (int c = 0; c < CLIENTS; c++) {
            lastSeen.add(new HashMap<>());
        }
    }

    /** Idle clients may start an operation. */
    void issue(long now) {
        for (int c = 0; c < CLIENTS; c++) {
            if (inFlight[c] == null && rnd.nextDouble() < options.proposeRate() / 4) {
                if (retry[c] != null) {
                    write(c, retry[c], now);
                } else if (rnd.nextInt(100) < 45) {
                    write(c, randomWrite(c), now);
                } else {
                    read(c, now);
                }
            }
        }
    }

    private Input randomWrite(int c) {
        String key = REGISTERS[rnd.nextInt(REGISTERS.length)];
        String unique = "v" + (++seq);
        int p = rnd.nextInt(100);
        if (p < 45) {
            return KvModel.put(key, unique);
        } else if (p < 70) {
            return KvModel.cas(key, lastSeen.get(c).get(key), unique);
        } else if (p < 90) {
            return KvModel.incr(COUNTER, 1);
        }
        return KvModel.delete(key);
    }

    private void write(int c, Input in, long now) {
        SimNode n = pickServer(c, true, now, false);
        if (n == null) {
            return;
        }
        EntryId id;
        try {
            id = n.raft.propose(SimKvStore.encode(in));
        } catch (ProposalDroppedException e) {
            return; // refused (leadership transfer): definitely not applied, nothing to record
        }
        if (in == retry[c]) {
            stats.clientRetries++;
        }
        retry[c] = null;
        inFlight[c] = new Pending(c, in, n.id, now, id, null, null, null);
    }

    private void read(int c, long now) {
        String key = rnd.nextInt(4) == 0 ? COUNTER : REGISTERS[rnd.nextInt(REGISTERS.length)];
        Mode mode = Mode.values()[rnd.nextInt(3)];
        SimNode n = pickServer(c, mode != Mode.FOLLOWER, now, true);
        if (n == null) {
            return;
        }
        ByteString ctx = ByteString.copyFromUtf8("c" + c + "-" + (++seq));
        Pending p = new Pending(c, KvModel.get(key), n.id, now, null, ctx, mode, new long[] {-1});
        if (n.isPaused(now)) {
            held.computeIfAbsent(n.id, k -> new ArrayList<>()).add(p);
            inFlight[c] = p;
            stats.reads++;
            return;
        }
        try {
            n.raft.readIndex(ctx, mode == Mode.LEASE, n.clock(now));
        } catch (NotLeaderException e) {
            return;
        }
        stats.reads++;
        inFlight[c] = p;
    }

    /** The server is running: the reads that waited for it reach its core now, before its missed ticks. */
    void deliverHeldReads(SimNode n, long now) {
        List<Pending> waiting = held.remove(n.id);
        if (waiting == null) {
            return;
        }
        for (Pending p : waiting) {
            if (inFlight[p.client()] != p) {
                continue; // given up meanwhile
            }
            try {
                n.raft.readIndex(p.context(), p.mode() == Mode.LEASE, n.clock(now));
            } catch (NotLeaderException e) {
                complete(p, Operation.failed(p.client(), p.input(), p.call(), now));
                continue;
            }
            if (p.mode() == Mode.LEASE) {
                stats.heldLeaseReads++;
                heldContexts.add(p.context());
            }
        }
    }

    /**
     * A server that believes it leads (or, for a follower read, one that does not); random if none fits.
     * A client sticks to the server it used last while that one still fits, as a client caching the
     * leader's address does: this is how clients keep talking to a deposed leader that does not know it.
     */
    private SimNode pickServer(int c, boolean leader, long now, boolean paused) {
        SimNode last = lastServer[c] == 0 ? null : nodes.get((int) lastServer[c] - 1);
        if (last != null && fits(last, leader, now, paused) && rnd.nextInt(8) != 0) {
            return last;
        }
        List<SimNode> fit = new ArrayList<>();
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.isUp() && (paused || !n.isPaused(now))) {
                up.add(n);
                if (fits(n, leader, now, paused)) {
                    fit.add(n);
                }
            }
        }
        List<SimNode> from = fit.isEmpty() && !leader ? up : fit;
        if (from.isEmpty()) {
            return null;
        }
        SimNode n = from.get(rnd.nextInt(from.size()));
        lastServer[c] = n.id;
        return n;
    }

    /** Whether {@code n} suits: up, believing it leads or not as asked, and running unless {@code paused}. */
    private static boolean fits(SimNode n, boolean leader, long now, boolean paused) {
        return n.isUp() && (paused || !n.isPaused(now)) && (n.raft.role() == Role.LEADER) == leader;
    }

    /** A server's Ready, before its entries are applied: writes complete, read indexes arrive. */
    void onReady(SimNode n, Ready rd, long now) {
        for (Entry e : rd.entriesToApply()) {
            store.onApply(e);
            for (Pending p : inFlight) {
                if (p != null && !p.isRead() && p.node() == n.id && p.entry().index() == e.getIndex()) {
                    if (p.entry().equals(EntryId.of(e))) {
                        Output out = store.result(e.getIndex());
                        complete(p, Operation.ok(p.client(), p.input(), out, p.call(), now));
                        if (out.value() != null) {
                            lastSeen.get(p.client()).put(p.input().key(), out.value());
                        } else if (p.input().kind() != KvModel.Kind.CAS || out.swapped()) {
                            lastSeen.get(p.client())
                                    .put(p.input().key(), p.input().value());
                        }
                    } else {
                        complete(p, Operation.failed(p.client(), p.input(), p.call(), now));
                    }
                }
            }
        }
        for (ReadState rs : rd.readStates()) {
            onReadState(n, rs, now);
        }
    }

    private void onReadState(SimNode n, ReadState rs, long now) {
        for (Pending p : inFlight) {
            if (p != null && p.isRead() && rs.context().equals(p.context())) {
                if (p.node() != n.id) {
                    throw new AssertionError("server " + n.id + " served a read asked of " + p.node());
                }
                p.index()[0] = rs.index();
                if (variant.plantServeBeforeApply()) {
                    serve(p, n, now); // planted bug: answers from whatever this server has applied so far
                }
                return;
            }
        }
        if (!finishedReads.contains(rs.context())) {
            throw new AssertionError("server " + n.id + " served a read nobody asked for: " + rs);
        }
        // A duplicated ReadIndexResponse for a read already answered or abandoned: the runtime ignores it.
    }

    /** After each step: serve reads whose server has caught up; give up on operations that took too long. */
    void afterStep(long now) {
        for (Pending p : inFlight) {
            if (p == null) {
                continue;
            }
            SimNode n = nodes.get((int) p.node() - 1);
            if (p.isRead() && p.index()[0] >= 0 && n.isUp() && n.appliedIndex >= p.index()[0]) {
                serve(p, n, now);
            } else if (now - p.call() > TIMEOUT && !(p.isRead() && n.isUp() && n.isPaused(now))) {
                // (A client waits out a server that hangs; its read reaches the core when it resumes.)
                abandon(p, now);
            }
        }
    }

    private void serve(Pending p, SimNode n, long now) {
        String value = store.get(p.input().key(), n.appliedIndex);
        complete(p, Operation.ok(p.client(), p.input(), Output.value(value), p.call(), now));
        if (value != null) {
            lastSeen.get(p.client()).put(p.input().key(), value);
        }
        stats.readsServed++;
        if (p.mode() == Mode.LEASE) {
            stats.leaseReadsServed++;
            if (heldContexts.contains(p.context())) {
                stats.heldLeaseReadsServed++;
            }
        } else if (p.mode() == Mode.FOLLOWER) {
            stats.followerReadsServed++;
        }
    }

    /** The server crashed: its clients' writes have unknown outcomes, their reads never return. */
    void onCrash(SimNode n, long now) {
        held.remove(n.id);
        for (Pending p : inFlight) {
            if (p != null && p.node() == n.id) {
                abandon(p, now);
            }
        }
    }

    private void abandon(Pending p, long now) {
        if (p.isRead()) {
            complete(p, Operation.failed(p.client(), p.input(), p.call(), now));
            return;
        }
        complete(p, Operation.unknown(p.client(), p.input(), p.call()));
        if (rnd.nextBoolean()) {
            retry[p.client()] = p.input(); // the same command again, as a client that timed out would
        }
    }

    private void complete(Pending p, Operation<Input, Output> op) {
        inFlight[p.client()] = null;
        if (p.isRead()) {
            finishedReads.add(p.context());
        }
        history.add(op);
        event.accept("client " + op);
    }

    /** Ends the run: whatever is in flight has an unknown outcome; then the history must be linearizable. */
    void check(long now) {
        for (Pending p : inFlight) {
            if (p != null) {
                abandon(p, now);
            }
        }
        CheckResult result = LinearizabilityChecker.check(new KvModel(), history, CHECK_BUDGET);
        stats.historyOps += history.size();
        for (Operation<Input, Output> op : history) {
            if (op.outcome() == Operation.Outcome.UNKNOWN) {
                stats.unknownOps++;
            }
        }
        stats.checkMillis = Math.max(stats.checkMillis, result.elapsed().toMillis());
        if (!result.isLinearizable()) {
            throw new AssertionError("client history of " + history.size() + " operations is " + result.verdict() + ": "
                    + result.explanation());
        }
    }

    List<Operation<Input, Output>> history() {
        return List.copyOf(history);
    }
}
