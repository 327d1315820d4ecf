package io.raftmanager.examples.jepsen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Jepsen-style runs of raft-kv: separate node JVMs, faults from {@link Nemesis}, a recorded client history
 * checked for linearizability, durability, INCR accounting and convergence. The CI run is bounded (fixed
 * seeds, about two minutes); {@code -Djepsen.soak.minutes=N} runs one long run; {@code
 * -Djepsen.seed=S} replays a seed (see a report's header).
 */
@Tag("integration")
class JepsenTest {
    private static final Set<Nemesis.Kind> PROCESS_FAULTS = EnumSet.of(
            Nemesis.Kind.KILL_RANDOM,
            Nemesis.Kind.KILL_LEADER,
            Nemesis.Kind.PAUSE_RANDOM,
            Nemesis.Kind.PAUSE_LEADER,
            Nemesis.Kind.SLOW_DISK,
            Nemesis.Kind.TRANSFER_LEADER,
            Nemesis.Kind.DEMOTE_PROMOTE_MEMBER);
    private static final Set<Nemesis.Kind> PAUSES = EnumSet.of(
            Nemesis.Kind.PAUSE_LEADER,
            Nemesis.Kind.PAUSE_RANDOM,
            Nemesis.Kind.KILL_LEADER,
            Nemesis.Kind.ISOLATE_LEADER);
    private static final Set<Nemesis.Kind> NETWORK_FAULTS = EnumSet.of(
            Nemesis.Kind.PARTITION_HALVES,
            Nemesis.Kind.PARTITION_BRIDGE,
            Nemesis.Kind.ISOLATE_LEADER,
            Nemesis.Kind.LEADER_ONE_WAY,
            Nemesis.Kind.SLOW_LINKS);

    @Test
    void processFaults() throws Exception {
        expectValid(RunOptions.of("ci-process-faults", 1, 3, 40_000, PROCESS_FAULTS));
    }

    /**
     * Everything on, as {@code cluster --secure}: peer mutual TLS (through the link proxies), Redis clients over
     * TLS with AUTH, the admin API over HTTPS with the token (leader transfers and membership faults), under
     * process faults.
     */
    @Test
    void secureProcessFaults() throws Exception {
        expectValid(RunOptions.of("ci-secure-process-faults", 3, 3, 30_000, PROCESS_FAULTS)
                .secured());
    }

    @Test
    void networkFaults() throws Exception {
        expectValid(RunOptions.of(
                "ci-network-faults", 2, Integer.getInteger("jepsen.ci.nodes", 5), 40_000, NETWORK_FAULTS));
    }

    /** Disks wiped or damaged one node at a time (docs/storage-faults.md), plus kills to mix histories. */
    @Test
    void diskFaults() throws Exception {
        expectValid(RunOptions.of(
                "ci-disk-faults",
                3,
                3,
                40_000,
                EnumSet.of(Nemesis.Kind.WIPE_DISK, Nemesis.Kind.CORRUPT_FILE, Nemesis.Kind.KILL_RANDOM)));
    }

    /**
     * Issue 17: clients reading with {@code READMODE lease} and {@code READMODE follower} (and some
     * linearizable ones) while leaders and followers are paused (SIGSTOP) and killed; every read is in the
     * checked history. Half the clients pipeline four commands per round trip, most of them through
     * followers, and the checker holds each client's commands to the order sent.
     */
    @Test
    void leaseAndFollowerReadsUnderPauses() throws Exception {
        expectValid(RunOptions.of("ci-read-modes-pauses", 3, 3, 40_000, PAUSES)
                .withReadModes("lease", "follower", "lease", "linearizable")
                .withPipelines(4));
    }

    /**
     * Issue 15: the keys sharded over 16 groups (every node hosting every group, leaders spread and moved
     * back by leadership transfer), under every fault kind but membership changes (refused with several
     * groups), half the clients pipelining 4 commands (which span groups); checked per key as any run. MGET
     * in the final read spans the groups.
     */
    @Test
    void sixteenGroupsUnderEveryFault() throws Exception {
        Set<Nemesis.Kind> faults = Nemesis.all();
        faults.remove(Nemesis.Kind.DEMOTE_PROMOTE_MEMBER);
        expectValid(RunOptions.of("ci-16-groups", 4, 3, 30_000, faults)
                .withGroups(16)
                .withPipelines(4));
    }

    @Test
    @EnabledIfSystemProperty(named = "jepsen.seed", matches = "\\d+")
    void replay() throws Exception {
        long seed = Long.getLong("jepsen.seed");
        expectValid(RunOptions.of(
                        "replay-" + seed,
                        seed,
                        Integer.getInteger("jepsen.nodes", 3),
                        Long.getLong("jepsen.seconds", 60) * 1000,
                        Nemesis.parse(System.getProperty("jepsen.faults", "all")))
                .withReadModes(
                        System.getProperty("jepsen.readModes", "linearizable").split(",")));
    }

    @Test
    @EnabledIfSystemProperty(named = "jepsen.soak.minutes", matches = "\\d+")
    void soak() throws Exception {
        long seed = Long.getLong("jepsen.soak.seed", System.currentTimeMillis());
        expectValid(RunOptions.of(
                "soak-" + seed,
                seed,
                Integer.getInteger("jepsen.nodes", 3),
                Long.getLong("jepsen.soak.minutes") * 60_000,
                Nemesis.all()));
    }

    private static void expectValid(RunOptions o) throws Exception {
        RunResult r = JepsenRun.run(o);
        System.out.println(r.summary());
        assertTrue(r.valid(), r::summary);
    }
}
