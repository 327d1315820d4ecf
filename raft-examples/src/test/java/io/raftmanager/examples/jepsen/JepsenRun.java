package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.testing.RespTestClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: start the cluster, run clients and nemesis together, heal, let clients see the recovery,
 * collect the final state, stop the cluster, check the history and write the report.
 */
final class JepsenRun {
    private static final Logger LOG = LoggerFactory.getLogger(JepsenRun.class);
    /** Clients keep going this long after the last fault is healed, so the report shows the recovery. */
    private static final long RECOVERY_MILLIS = 5_000;

    private JepsenRun() {}

    static RunResult run(RunOptions o) throws Exception {
        Path dir = o.outDir().resolve(o.name());
        deleteTree(dir);
        Files.createDirectories(dir);
        long start;
        long end;
        List<Op> history;
        List<Fault> faults;
        List<Check> checks = new ArrayList<>();
        try (KvCluster cluster = new KvCluster(
                dir.resolve("data"), o.nodes(), o.electionMillis(), o.heartbeatMillis(), o.secure(), o.groups())) {
            cluster.startAll();
            awaitWritable(cluster);
            start = System.nanoTime();
            Workload w = new Workload(cluster, o.clients(), o.seed(), 8_000, 5_000, start, o.readModes(), o.pipeline());
            Nemesis nemesis = new Nemesis(cluster, o.seed(), o.faults());
            w.start();
            nemesis.start();
            Thread.sleep(o.workloadMillis());
            nemesis.stop();
            Thread.sleep(RECOVERY_MILLIS);
            w.stop();
            end = System.nanoTime();
            history = w.history();
            faults = nemesis.faults();
            FinalState last = new FinalState(cluster, 90_000);
            checks.addAll(last.collectAndCheck(w, history));
            checks.add(ExpiryCheck.check(history, w.linearizableProcesses()));
            history = new ArrayList<>(history);
            history.addAll(last.finalReads);
            writeDumps(dir.resolve("final-state.txt"), last);
        }
        checks.add(0, Linearizability.check(history));
        writeHistory(dir.resolve("history.txt"), history, start);
        RunResult r = new RunResult(o, start, end, history, faults, checks, dir.resolve("report.html"));
        Report.write(r.report(), r);
        Files.writeString(dir.resolve("summary.txt"), r.summary() + "\n", StandardCharsets.UTF_8);
        LOG.info("jepsen {}", r.summary());
        return r;
    }

    /** Every node accepts a write (so every node is up and a leader exists) before the clock starts. */
    private static void awaitWritable(KvCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (long id : cluster.ids()) {
            while (true) {
                try (RespTestClient c = cluster.client(id, 1_000, 5_000)) {
                    if ("OK".equals(c.call("SET", "boot", "n" + id))) {
                        break;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + id + " did not accept a write within 120 s");
                }
                Thread.sleep(200);
            }
        }
    }

    private static void writeHistory(Path file, List<Op> history, long start) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            for (Op op : history) {
                out.printf(
                        "%10.3f %10.3f %s%n", (op.invokeNanos() - start) / 1e9, (op.completeNanos() - start) / 1e9, op);
            }
        }
    }

    private static void writeDumps(Path file, FinalState last) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            out.println("applied index per node: " + last.applied);
            last.dumps.forEach((id, dump) ->
                    out.println("n" + id + ": " + (dump == null ? "unreadable" : new java.util.TreeMap<>(dump))));
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
