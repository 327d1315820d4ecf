package io.raftmanager.examples.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node JVMs started from this JVM's own class path (the raft-kv jar), with their output prefixed by the
 * node id. Stopping sends SIGTERM, so each node runs its shutdown hook, and kills any still alive after
 * a grace period.
 */
public final class NodeProcesses {
    private static final String MAIN = "io.raftmanager.examples.RaftKv";

    private final PrintStream out;
    private final List<Process> processes = new ArrayList<>();

    public NodeProcesses(PrintStream out) {
        this.out = out;
    }

    /** The command that runs {@code raft-kv args...} in a new JVM with this JVM's class path. */
    public static List<String> javaCommand(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms64m");
        cmd.add("-Xmx" + System.getProperty("raftkv.node.xmx", "512m")); // -Draftkv.node.xmx=1g for many groups
        String elections = System.getProperty("raftkv.maxElections"); // experiments with many groups
        if (elections != null) {
            cmd.add("-Draftkv.maxElections=" + elections);
        }
        if (Boolean.getBoolean("raftkv.noElectionTurns")) { // experiments: groups campaign in any order
            cmd.add("-Draftkv.noElectionTurns=true");
        }
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN);
        cmd.addAll(args);
        return cmd;
    }

    public synchronized Process start(long id, List<String> args) throws IOException {
        Process p =
                new ProcessBuilder(javaCommand(args)).redirectErrorStream(true).start();
        processes.add(p);
        Thread pump = new Thread(() -> pump(id, p), "raft-kv-n" + id + "-output");
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    private void pump(long id, Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.println("[n" + id + "] " + line);
            }
        } catch (IOException e) {
            // the process ended
        }
        p.onExit().thenAccept(done -> out.println("[n" + id + "] exited with code " + done.exitValue()));
    }

    /** SIGTERM to every node, then SIGKILL to any still running after 10 s. */
    public synchronized void stopAll() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
