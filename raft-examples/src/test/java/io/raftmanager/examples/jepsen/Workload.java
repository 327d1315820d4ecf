package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Concurrent clients over RESP, each bound to one node, running SET/GET/CAS on a few register keys, INCR
 * (some as MULTI/INCR/GET/EXEC transactions, checked as INCRs whose GET agrees) and GET on a few counter
 * keys, SET of write-once keys, transactions over key pairs (MULTI/SET a/SET b/EXEC, read back with
 * MULTI/GET a/GET b/EXEC: checked as one register whose read is torn if the two differ), and expiring
 * keys (SET PX, then GETs checked by {@link ExpiryCheck}). Clients with an odd number pipeline (when the
 * run asks for it): they send several commands on one key at once and then read the replies, so a node
 * that reordered a connection's commands (or served its read before its own writes) fails the check. Keys
 * change generation every few seconds
 * so each key's history stays short enough for the linearizability search. Every SET and CAS writes a
 * value no other operation writes.
 */
final class Workload {
    static final int REGISTERS = 3;
    static final int COUNTERS = 2;
    static final int PAIRS = 2;
    /** Expiring keys are named {@code e-<value>-t<ttl millis>}. */
    static final String EXPIRING = "e-";

    private final KvCluster cluster;
    private final int clients;
    private final long seed;
    private final long generationNanos;
    private final int replyTimeoutMillis;
    private final long startNanos;
    private final List<String> readModes;
    private final int pipeline;
    private final ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
    private final Set<String> registerKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> counterKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> onceKeys = ConcurrentHashMap.newKeySet();
    /** The latest expiring keys written (any client reads them, through any node). */
    private final java.util.concurrent.ConcurrentLinkedDeque<String> expiringKeys =
            new java.util.concurrent.ConcurrentLinkedDeque<>();

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    Workload(
            KvCluster cluster,
            int clients,
            long seed,
            long generationMillis,
            int replyTimeoutMillis,
            long start,
            List<String> readModes,
            int pipeline) {
        if (pipeline < 1) {
            throw new IllegalArgumentException("pipeline depth must be at least 1, was " + pipeline);
        }
        this.pipeline = pipeline;
        this.cluster = cluster;
        this.readModes = List.copyOf(readModes);
        this.clients = clients;
        this.seed = seed;
        this.generationNanos = generationMillis * 1_000_000L;
        this.replyTimeoutMillis = replyTimeoutMillis;
        this.startNanos = start;
    }

    void start() {
        for (int p = 0; p < clients; p++) {
            int process = p;
            Thread t = new Thread(() -> new Client(process).run(), "jepsen-client-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    List<Op> history() {
        List<Op> ops = new ArrayList<>(history);
        ops.sort((a, b) -> Long.compare(a.invokeNanos(), b.invokeNanos()));
        return ops;
    }

    Set<String> registerKeys() {
        return Collections.unmodifiableSet(registerKeys);
    }

    Set<String> counterKeys() {
        return Collections.unmodifiableSet(counterKeys);
    }

    Set<String> onceKeys() {
        return Collections.unmodifiableSet(onceKeys);
    }

    /** The clients that read linearizably: only their reads must see an expiring key before it expires. */
    Set<Integer> linearizableProcesses() {
        Set<Integer> out = new java.util.TreeSet<>();
        for (int p = 0; p < clients; p++) {
            if (readModes.get(p % readModes.size()).equals("linearizable")) {
                out.add(p);
            }
        }
        return out;
    }

    /** An expiring key's time to live, from its name. */
    static long ttlMillis(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf("-t") + 2));
    }

    private final class Client {
        private final int process;
        private final long node;
        private final Random random;
        private final Map<String, String> lastSeen = new HashMap<>();
        private final String readMode;
        private RespTestClient conn;
        private long seq;

        Client(int process) {
            this.process = process;
            List<Long> ids = cluster.ids();
            this.node = ids.get(process % ids.size());
            this.readMode = readModes.get(process % readModes.size());
            this.random = new Random(seed * 7919 + process);
        }

        /** The next INCR runs as MULTI/INCR/GET/EXEC. */
        private boolean transactional;

        void run() {
            while (!stop) {
                long gen = (System.nanoTime() - startNanos) / generationNanos;
                if (pipeline > 1 && process % 2 == 1) {
                    pipelined(gen);
                    continue;
                }
                int dice = random.nextInt(100);
                String value = "p" + process + "-" + (++seq);
                if (dice < 24) {
                    String key = "r" + random.nextInt(REGISTERS) + "g" + gen;
                    registerKeys.add(key);
                    invoke(Kind.GET, key, null, null);
                } else if (dice < 40) {
                    String key = "r" + random.nextInt(REGISTERS) + "g" + gen;
                    registerKeys.add(key);
                    invoke(Kind.SET, key, value, null);
                } else if (dice < 46) {
                    invoke(Kind.SET, "t" + random.nextInt(PAIRS) + "g" + gen, value, null);
                } else if (dice < 52) {
                    invoke(Kind.GET, "t" + random.nextInt(PAIRS) + "g" + gen, null, null);
                } else if (dice < 56) {
                    String key = EXPIRING + value + "-t" + (50 + random.nextInt(450));
                    expiringKeys.addFirst(key);
                    while (expiringKeys.size() > 16) {
                        expiringKeys.pollLast();
                    }
                    invoke(Kind.SET, key, value, null);
                } else if (dice < 62) {
                    List<String> recent = new ArrayList<>(expiringKeys);
                    if (!recent.isEmpty()) {
                        invoke(Kind.GET, recent.get(random.nextInt(recent.size())), null, null);
                    }
                } else if (dice < 68) {
                    String key = "r" + random.nextInt(REGISTERS) + "g" + gen;
                    registerKeys.add(key);
                    String expected = lastSeen.getOrDefault(key, "p0-0");
                    invoke(Kind.CAS, key, expected, value);
                } else if (dice < 76) {
                    String key = "c" + random.nextInt(COUNTERS) + "g" + gen;
                    counterKeys.add(key);
                    invoke(Kind.INCR, key, null, null);
                } else if (dice < 80) {
                    // MULTI/INCR/GET/EXEC: one log entry; checked as an INCR whose GET saw its own result.
                    String key = "c" + random.nextInt(COUNTERS) + "g" + gen;
                    counterKeys.add(key);
                    transactional = true;
                    invoke(Kind.INCR, key, null, null);
                    transactional = false;
                } else if (dice < 90) {
                    String key = "c" + random.nextInt(COUNTERS) + "g" + gen;
                    counterKeys.add(key);
                    invoke(Kind.GET, key, null, null);
                } else {
                    String key = "u-" + value;
                    onceKeys.add(key);
                    invoke(Kind.SET, key, value, null);
                }
            }
            if (conn != null) {
                conn.close();
            }
        }

        /**
         * Gives up the connection after an error inside MULTI ... EXEC. An error such as {@code TIMEOUT
         * outcome unknown} leaves the connection's transaction state unknown (the MULTI may still take
         * effect after its reply), and a DISCARD can time out the same way: a new connection is the only
         * state the client knows.
         */
        private void dropConnection() {
            conn.close();
            conn = null;
        }

        /**
         * MULTI, INCR key, GET key, EXEC on the client's connection; returns the new value (the INCR's and the
         * GET's, which must agree: the transaction applies atomically) or the error that stopped it. Queueing
         * is local to the node, so an error before EXEC means nothing was proposed.
         */
        private Object transaction(String key) throws IOException {
            for (String[] queued :
                    List.of(new String[] {"MULTI"}, new String[] {"INCR", key}, new String[] {"GET", key})) {
                Object r = conn.call(queued);
                if (r instanceof RespTestClient.Err) {
                    dropConnection();
                    return new RespTestClient.Err(
                            "CLUSTERDOWN transaction not queued: " + ((RespTestClient.Err) r).message());
                }
            }
            Object exec = conn.call("EXEC");
            if (exec instanceof RespTestClient.Err) {
                return exec;
            }
            List<?> replies = (List<?>) exec;
            if (replies.size() != 2 || !String.valueOf(replies.get(0)).equals(String.valueOf(replies.get(1)))) {
                return "tx-not-atomic" + replies; // no counter state has this value: the checker rejects the history
            }
            return replies.get(0);
        }

        /** One planned command of a pipeline. */
        private record Planned(Kind kind, String key, String value, String newValue) {
            String[] command() {
                return switch (kind) {
                    case GET -> new String[] {"GET", key};
                    case SET -> new String[] {"SET", key, value};
                    case INCR -> new String[] {"INCR", key};
                    case CAS -> new String[] {"CAS", key, value, newValue};
                };
            }
        }

        /**
         * Sends {@code pipeline} commands on one key in one write (SET/GET/CAS on a register, or INCR/GET on a
         * counter), then reads the replies. A CAS expects the value the pipeline's own SET wrote before it.
         */
        private void pipelined(long gen) {
            boolean counter = random.nextInt(3) == 0;
            String key = (counter ? "c" + random.nextInt(COUNTERS) : "r" + random.nextInt(REGISTERS)) + "g" + gen;
            (counter ? counterKeys : registerKeys).add(key);
            List<Planned> plan = new ArrayList<>(pipeline);
            String written = lastSeen.getOrDefault(key, "p0-0");
            for (int i = 0; i < pipeline; i++) {
                int dice = random.nextInt(3);
                if (counter) {
                    plan.add(new Planned(dice < 2 ? Kind.INCR : Kind.GET, key, null, null));
                } else if (dice == 0) {
                    plan.add(new Planned(Kind.GET, key, null, null));
                } else {
                    String value = "p" + process + "-" + (++seq);
                    plan.add(
                            dice == 1
                                    ? new Planned(Kind.SET, key, value, null)
                                    : new Planned(Kind.CAS, key, written, value));
                    written = value;
                }
            }
            long invoke = System.nanoTime();
            int answered = 0;
            boolean backOff = false;
            try {
                if (conn == null) {
                    conn = connect();
                }
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                for (Planned p : plan) {
                    bytes.writeBytes(RespTestClient.encode(p.command()));
                }
                conn.writeRaw(bytes.toByteArray());
                for (Planned p : plan) {
                    Object reply = conn.read();
                    answered++;
                    backOff |= record(p.kind(), p.key(), p.value(), p.newValue(), reply, invoke);
                }
            } catch (RespTestClient.ConnectFailed | ReadModeRefused e) {
                for (Planned p : plan) {
                    failed(p, Outcome.FAIL, "connect: " + e.getMessage(), invoke);
                }
                backOff = true;
            } catch (IOException | RuntimeException e) {
                // Sent, and no reply: each unanswered command may or may not have run.
                for (Planned p : plan.subList(answered, plan.size())) {
                    failed(p, Outcome.UNKNOWN, e.getClass().getSimpleName() + ": " + e.getMessage(), invoke);
                }
                if (conn != null) {
                    conn.close();
                    conn = null;
                }
                backOff = true;
            }
            if (backOff) {
                sleep(50 + random.nextInt(100));
            }
        }

        private void failed(Planned p, Outcome outcome, String error, long invoke) {
            add(p.kind(), p.key(), p.value(), p.newValue(), outcome, null, invoke, error);
        }

        private void add(
                Kind kind,
                String key,
                String value,
                String newValue,
                Outcome outcome,
                String result,
                long invoke,
                String error) {
            history.add(new Op(
                    process,
                    kind,
                    key,
                    value,
                    newValue,
                    outcome,
                    result,
                    node,
                    invoke,
                    System.nanoTime(),
                    withReadMode(kind, error)));
            remember(kind, key, value, newValue, outcome, result);
        }

        private String withReadMode(Kind kind, String error) {
            return kind == Kind.GET && !readMode.equals("linearizable") && error != null
                    ? error + " [" + readMode + "]"
                    : error;
        }

        /** Records a reply (or error reply) that just arrived; returns whether the client should back off. */
        private boolean record(Kind kind, String key, String value, String newValue, Object reply, long invoke) {
            Outcome outcome;
            String result = null;
            String error = null;
            if (reply instanceof RespTestClient.Err err) {
                error = err.message();
                outcome = definitelyNotApplied(err) ? Outcome.FAIL : Outcome.UNKNOWN;
            } else {
                outcome = Outcome.OK;
                result = reply == null ? null : String.valueOf(reply);
            }
            add(kind, key, value, newValue, outcome, result, invoke, error);
            return error != null;
        }

        private void remember(Kind kind, String key, String value, String newValue, Outcome outcome, String result) {
            if (outcome == Outcome.OK) {
                if (kind == Kind.GET && result != null) {
                    lastSeen.put(key, result);
                } else if (kind == Kind.SET) {
                    lastSeen.put(key, value);
                } else if (kind == Kind.CAS && "1".equals(result)) {
                    lastSeen.put(key, newValue);
                }
            }
        }

        /**
         * A key pair written or read in one transaction: MULTI, SET (or GET) of both keys, EXEC. A read whose
         * two values differ saw half a transaction: it returns a value no write wrote, so the checker, which
         * sees the pair as one register, rejects the history.
         */
        private Object pair(Kind kind, String pair, String value) throws IOException {
            String a = pair + "a";
            String b = pair + "b";
            List<String[]> queue = kind == Kind.SET
                    ? List.of(new String[] {"SET", a, value}, new String[] {"SET", b, value})
                    : List.of(new String[] {"GET", a}, new String[] {"GET", b});
            Object multi = conn.call("MULTI");
            if (multi instanceof RespTestClient.Err) {
                dropConnection();
                return new RespTestClient.Err("CLUSTERDOWN transaction not started: " + multi);
            }
            for (String[] queued : queue) {
                Object r = conn.call(queued);
                if (r instanceof RespTestClient.Err) {
                    dropConnection();
                    return new RespTestClient.Err(
                            "CLUSTERDOWN transaction not queued: " + ((RespTestClient.Err) r).message());
                }
            }
            Object exec = conn.call("EXEC");
            if (exec instanceof RespTestClient.Err || kind == Kind.SET) {
                return exec;
            }
            List<?> replies = (List<?>) exec;
            if (replies.size() != 2 || !java.util.Objects.equals(replies.get(0), replies.get(1))) {
                return "torn" + replies;
            }
            return replies.get(0);
        }

        /**
         * Opens a connection and sets its read mode. A refused READMODE fails the connection: the client must
         * never read in another mode than the run asked for.
         */
        private RespTestClient connect() throws IOException {
            RespTestClient c = cluster.client(node, 1_000, replyTimeoutMillis);
            if (!readMode.equals("linearizable")) {
                Object ok = c.call("READMODE", readMode);
                if (!"OK".equals(String.valueOf(ok))) {
                    c.close();
                    throw new ReadModeRefused("READMODE " + readMode + " refused: " + ok);
                }
            }
            return c;
        }

        private void invoke(Kind kind, String key, String value, String newValue) {
            String[] command = kind == Kind.SET && key.startsWith(EXPIRING)
                    ? new String[] {"SET", key, value, "PX", Long.toString(ttlMillis(key))}
                    : new Planned(kind, key, value, newValue).command();
            long invoke = System.nanoTime();
            boolean backOff = false;
            try {
                if (conn == null) {
                    conn = connect();
                }
                Object reply = transactional
                        ? transaction(key)
                        : key.startsWith("t") ? pair(kind, key, value) : conn.call(command);
                if (kind == Kind.SET && key.startsWith("t") && reply instanceof List) {
                    reply = "OK"; // EXEC's [OK, OK]
                }
                backOff = record(kind, key, value, newValue, reply, invoke);
            } catch (RespTestClient.ConnectFailed | ReadModeRefused e) {
                // Nothing was sent.
                add(kind, key, value, newValue, Outcome.FAIL, null, invoke, "connect: " + e.getMessage());
                backOff = true;
            } catch (IOException e) {
                // Sent, and no reply.
                add(
                        kind,
                        key,
                        value,
                        newValue,
                        Outcome.UNKNOWN,
                        null,
                        invoke,
                        e.getClass().getSimpleName() + ": " + e.getMessage());
                conn.close();
                conn = null;
                backOff = true;
            } catch (RuntimeException e) {
                add(kind, key, value, newValue, Outcome.UNKNOWN, null, invoke, e.toString());
                if (conn != null) {
                    conn.close();
                    conn = null;
                }
            }
            if (backOff) {
                sleep(50 + random.nextInt(100));
            }
        }
    }

    /** A connection whose READMODE was refused: the operation was never sent. */
    static final class ReadModeRefused extends IOException {
        private static final long serialVersionUID = 1L;

        ReadModeRefused(String message) {
            super(message);
        }
    }

    /** Errors the server gives only when the command was never proposed (or is a read). */
    static boolean definitelyNotApplied(RespTestClient.Err err) {
        String code = err.code();
        return code.equals("CLUSTERDOWN")
                || code.equals("TRYAGAIN")
                || err.message().startsWith("ERR overloaded");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
