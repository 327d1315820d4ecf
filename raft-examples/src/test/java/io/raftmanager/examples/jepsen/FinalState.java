package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The end of a run, once every fault is healed: waits for every node to apply the same index, reads every
 * key on every node (stale reads, which show exactly what that node applied) and one linearizable read
 * of each key, then checks durability, INCR accounting and convergence.
 */
final class FinalState {
    private final KvCluster cluster;
    private final long convergeMillis;

    /** The final linearizable reads, as history operations of process -1. */
    final List<Op> finalReads = new ArrayList<>();
    /** Each node's full copy of the keys the workload used. */
    final Map<Long, Map<String, String>> dumps = new TreeMap<>();
    /** Each node's applied index when the dumps were taken. */
    final Map<Long, Long> applied = new TreeMap<>();

    FinalState(KvCluster cluster, long convergeMillis) {
        this.cluster = cluster;
        this.convergeMillis = convergeMillis;
    }

    /** Collects the final state; the checks it fails to reach are reported as failed checks. */
    List<Check> collectAndCheck(Workload w, List<Op> history) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        keys.addAll(new TreeSet<>(w.registerKeys()));
        keys.addAll(new TreeSet<>(w.counterKeys()));
        keys.addAll(new TreeSet<>(w.onceKeys()));

        Optional<Long> index = awaitSameAppliedIndex();
        checks.add(new Check(
                "nodes converge on one applied index",
                index.isPresent(),
                index.map(i -> "every node applied " + i)
                        .orElse("no common applied index within " + convergeMillis + " ms: " + applied)));
        for (long id : cluster.ids()) {
            dumps.put(id, dump(id, keys));
        }
        Map<String, String> reference = dumps.get(cluster.ids().get(0));
        List<String> diffs = new ArrayList<>();
        for (long id : cluster.ids()) {
            Map<String, String> d = dumps.get(id);
            if (d == null) {
                diffs.add("n" + id + " could not be read");
                continue;
            }
            for (String k : keys) {
                if (reference != null && !java.util.Objects.equals(reference.get(k), d.get(k))) {
                    diffs.add(k + ": n" + cluster.ids().get(0) + "=" + reference.get(k) + " n" + id + "=" + d.get(k));
                }
            }
        }
        checks.add(new Check(
                "every node holds the same state",
                diffs.isEmpty() && reference != null,
                diffs.isEmpty() ? keys.size() + " keys identical on " + dumps.size() + " nodes" : first(diffs)));

        readFinal(w);
        List<Op> all = new ArrayList<>(history);
        all.addAll(finalReads);
        Map<String, String> state = reference == null ? Map.of() : reference;
        checks.add(writeOnceDurability(history, state));
        checks.add(counters(all, w.counterKeys()));
        checks.add(noFailedWriteVisible(history, state, w.registerKeys()));
        return checks;
    }

    private Optional<Long> awaitSameAppliedIndex() throws InterruptedException {
        long deadline = System.nanoTime() + convergeMillis * 1_000_000L;
        long lastCommon = -1;
        while (System.nanoTime() < deadline) {
            applied.clear();
            Set<String> seen = new HashSet<>();
            boolean allCommitted = true;
            for (long id : cluster.ids()) {
                Optional<Map<String, String>> info = cluster.info(id, 2_000);
                if (info.isEmpty()) {
                    continue;
                }
                long a = Long.parseLong(info.get().get("raft_applied_index"));
                long c = Long.parseLong(info.get().get("raft_commit_index"));
                applied.put(id, a);
                allCommitted &= a == c;
                // With several groups, every group must converge, not only group 0 (whose fields come first).
                StringBuilder vector = new StringBuilder(Long.toString(a));
                for (int g = 0; info.get().containsKey("raft_group_" + g); g++) {
                    String line = info.get().get("raft_group_" + g);
                    String groupApplied = field(line, "applied_index");
                    allCommitted &= groupApplied != null && groupApplied.equals(field(line, "commit_index"));
                    vector.append(',').append(groupApplied);
                }
                seen.add(vector.toString());
            }
            boolean same = applied.size() == cluster.ids().size() && seen.size() == 1 && allCommitted;
            long common = same ? applied.values().iterator().next() : -1;
            if (same && common == lastCommon && cluster.leader() != 0) {
                return Optional.of(common);
            }
            lastCommon = common;
            Thread.sleep(500);
        }
        return Optional.empty();
    }

    /** {@code name}'s value in a "k=v,k=v" INFO line, or null. */
    private static String field(String line, String name) {
        for (String part : line.split(",")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    private Map<String, String> dump(long id, List<String> keys) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (RespTestClient c = cluster.client(id, 2_000, 10_000)) {
                if (!"OK".equals(c.call("READMODE", "stale"))) {
                    continue;
                }
                Map<String, String> out = new HashMap<>();
                for (int from = 0; from < keys.size(); from += 200) {
                    List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 200));
                    String[] cmd = new String[chunk.size() + 1];
                    cmd[0] = "MGET";
                    for (int i = 0; i < chunk.size(); i++) {
                        cmd[i + 1] = chunk.get(i);
                    }
                    Object reply = c.call(cmd);
                    if (!(reply instanceof List)) {
                        throw new IOException("MGET answered " + reply);
                    }
                    List<?> values = (List<?>) reply;
                    for (int i = 0; i < chunk.size(); i++) {
                        if (values.get(i) != null) {
                            out.put(chunk.get(i), (String) values.get(i));
                        }
                    }
                }
                return out;
            } catch (IOException e) {
                sleep(500);
            }
        }
        return null;
    }

    private void readFinal(Workload w) {
        List<String> keys = new ArrayList<>(new TreeSet<>(w.registerKeys()));
        keys.addAll(new TreeSet<>(w.counterKeys()));
        int n = 0;
        for (String key : keys) {
            long node = cluster.ids().get(n++ % cluster.ids().size());
            for (int attempt = 0; attempt < 20; attempt++) {
                long invoke = System.nanoTime();
                try (RespTestClient c = cluster.client(node, 2_000, 10_000)) {
                    Object reply = c.call("GET", key);
                    long complete = System.nanoTime();
                    if (!(reply instanceof RespTestClient.Err)) {
                        finalReads.add(new Op(
                                -1,
                                Kind.GET,
                                key,
                                null,
                                null,
                                Outcome.OK,
                                (String) reply,
                                node,
                                invoke,
                                complete,
                                null));
                        break;
                    }
                } catch (IOException e) {
                    // try again
                }
                sleep(250);
            }
        }
    }

    /** Every acknowledged write-once SET is present with its value; every failed one is absent. */
    static Check writeOnceDurability(List<Op> history, Map<String, String> state) {
        int acked = 0;
        int failed = 0;
        int unknownPresent = 0;
        int unknown = 0;
        List<String> problems = new ArrayList<>();
        for (Op op : history) {
            if (op.kind() != Kind.SET || !op.key().startsWith("u-")) {
                continue;
            }
            String found = state.get(op.key());
            switch (op.outcome()) {
                case OK -> {
                    acked++;
                    if (!op.value().equals(found)) {
                        problems.add("acknowledged " + op + " but the final state has " + found);
                    }
                }
                case FAIL -> {
                    failed++;
                    if (found != null) {
                        problems.add("failed " + op + " but the final state has " + found);
                    }
                }
                case UNKNOWN -> {
                    unknown++;
                    if (found != null) {
                        unknownPresent++;
                    }
                }
            }
        }
        String summary = acked + " acknowledged write-once SETs all present, " + failed + " failed ones all absent, "
                + unknownPresent + " of " + unknown + " unknown ones applied";
        return new Check(
                "every acknowledged write survives (write-once keys)",
                problems.isEmpty(),
                problems.isEmpty() ? summary : problems.size() + " lost or phantom writes; first: " + first(problems));
    }

    /** For each counter: acknowledged INCRs &lt;= final value &lt;= acknowledged + unknown ones; results distinct. */
    static Check counters(List<Op> history, Set<String> counterKeys) {
        List<String> problems = new ArrayList<>();
        long okTotal = 0;
        long unknownTotal = 0;
        for (String key : new TreeSet<>(counterKeys)) {
            long ok = 0;
            long unknown = 0;
            Set<String> results = new HashSet<>();
            String last = null;
            for (Op op : history) {
                if (!op.key().equals(key)) {
                    continue;
                }
                if (op.kind() == Kind.INCR) {
                    if (op.outcome() == Outcome.OK) {
                        ok++;
                        if (!results.add(op.result())) {
                            problems.add(key + ": two INCRs returned " + op.result());
                        }
                    } else if (op.outcome() == Outcome.UNKNOWN) {
                        unknown++;
                    }
                }
                if (op.process() == -1 && op.outcome() == Outcome.OK) {
                    last = op.result();
                }
            }
            okTotal += ok;
            unknownTotal += unknown;
            long value = last == null ? 0 : Long.parseLong(last);
            if (value < ok || value > ok + unknown) {
                problems.add(key + ": final " + value + " outside [" + ok + ", " + (ok + unknown) + "]");
            }
        }
        return new Check(
                "no INCR lost or applied twice",
                problems.isEmpty(),
                problems.isEmpty()
                        ? counterKeys.size() + " counters, " + okTotal + " acknowledged and " + unknownTotal
                                + " unknown INCRs accounted for"
                        : first(problems));
    }

    /** The final value of each register was written by an operation that did not definitely fail. */
    static Check noFailedWriteVisible(List<Op> history, Map<String, String> state, Set<String> registerKeys) {
        Map<String, Outcome> writers = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == Kind.SET) {
                writers.put(op.value(), op.outcome());
            } else if (op.kind() == Kind.CAS) {
                writers.put(op.newValue(), op.outcome());
            }
        }
        List<String> problems = new ArrayList<>();
        for (String key : registerKeys) {
            String v = state.get(key);
            if (v != null && writers.get(v) != Outcome.OK && writers.get(v) != Outcome.UNKNOWN) {
                problems.add(key + " holds " + v + ", written by " + writers.get(v));
            }
        }
        return new Check(
                "no register holds a value from a failed or unknown-to-the-history write",
                problems.isEmpty(),
                problems.isEmpty() ? registerKeys.size() + " registers checked" : first(problems));
    }

    private static String first(List<String> problems) {
        return problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
