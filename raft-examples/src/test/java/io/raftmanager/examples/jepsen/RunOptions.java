package io.raftmanager.examples.jepsen;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What one run does.
 *
 * @param name the run's directory under {@code outDir}
 * @param seed drives the nemesis and the clients' choices
 * @param nodes cluster size (3 or 5)
 * @param clients concurrent RESP clients
 * @param workloadMillis how long clients run while the nemesis acts
 * @param faults the nemesis operations to draw from
 * @param readModes the {@code READMODE} each client sets on its connections, client i taking entry i
 *     modulo the list's size ({@code linearizable}, the server's default, sends nothing)
 * @param secure run the nodes with everything on (as {@code cluster --secure}): peer mutual TLS, RESP over TLS
 *     with a password, the admin API over HTTPS with a token
 * @param pipeline commands per round trip of the odd-numbered clients (1: no pipelining)
 * @param groups the Raft groups the keys are sharded over ({@code node --groups}); 1 for one group
 */
record RunOptions(
        String name,
        long seed,
        int nodes,
        int clients,
        long workloadMillis,
        Set<Nemesis.Kind> faults,
        int electionMillis,
        int heartbeatMillis,
        Path outDir,
        List<String> readModes,
        boolean secure,
        int pipeline,
        int groups) {

    static RunOptions of(String name, long seed, int nodes, long workloadMillis, Set<Nemesis.Kind> faults) {
        return new RunOptions(
                name,
                seed,
                nodes,
                Integer.getInteger("jepsen.clients", 2 * nodes + 4),
                workloadMillis,
                faults,
                Integer.getInteger("jepsen.election.ms", 500),
                Integer.getInteger("jepsen.heartbeat.ms", 50),
                Path.of(System.getProperty("jepsen.out", "target/jepsen")),
                List.of("linearizable"),
                Boolean.getBoolean("jepsen.secure"),
                Integer.getInteger("jepsen.pipeline", 1),
                Integer.getInteger("jepsen.groups", 1));
    }

    /** The same run with the keys sharded over {@code n} groups. */
    RunOptions withGroups(int n) {
        return new RunOptions(
                name,
                seed,
                nodes,
                clients,
                workloadMillis,
                faults,
                electionMillis,
                heartbeatMillis,
                outDir,
                readModes,
                secure,
                pipeline,
                n);
    }

    /** The same run with clients cycling through these read modes. */
    RunOptions withReadModes(String... modes) {
        return new RunOptions(
                name,
                seed,
                nodes,
                clients,
                workloadMillis,
                faults,
                electionMillis,
                heartbeatMillis,
                outDir,
                List.of(modes),
                secure,
                pipeline,
                groups);
    }

    /** The same run in secure mode. */
    RunOptions secured() {
        return new RunOptions(
                name,
                seed,
                nodes,
                clients,
                workloadMillis,
                faults,
                electionMillis,
                heartbeatMillis,
                outDir,
                readModes,
                true,
                pipeline,
                groups);
    }

    /** The same run with the odd-numbered clients pipelining {@code depth} commands per round trip. */
    RunOptions withPipelines(int depth) {
        return new RunOptions(
                name,
                seed,
                nodes,
                clients,
                workloadMillis,
                faults,
                electionMillis,
                heartbeatMillis,
                outDir,
                readModes,
                secure,
                depth,
                groups);
    }
}
