package io.raftmanager.examples.jepsen;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded schedule of faults against a {@link KvCluster}, one at a time with quiet gaps between them,
 * each healed before the next: the run's fault windows are then easy to read off the report.
 */
final class Nemesis {
    private static final Logger LOG = LoggerFactory.getLogger(Nemesis.class);

    enum Kind {
        KILL_RANDOM,
        KILL_LEADER,
        PAUSE_RANDOM,
        PAUSE_LEADER,
        PARTITION_HALVES,
        PARTITION_BRIDGE,
        ISOLATE_LEADER,
        LEADER_ONE_WAY,
        SLOW_LINKS,
        SLOW_DISK,
        TRANSFER_LEADER,
        REMOVE_READD_MEMBER,
        DEMOTE_PROMOTE_MEMBER,
        /** Kill a node, delete its data directory, restart it (docs/storage-faults.md). */
        WIPE_DISK,
        /** Kill a node, flip bits in one of its files (WAL, table, identity), restart it. */
        CORRUPT_FILE
    }

    private final KvCluster cluster;
    private final Random random;
    private final List<Kind> kinds;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AdminFaults admin;
    private final DiskFaults disk;
    private volatile boolean stop;
    private Thread thread;

    Nemesis(KvCluster cluster, long seed, Set<Kind> kinds) {
        this.cluster = cluster;
        this.random = new Random(seed);
        this.kinds = new ArrayList<>(kinds);
        Collections.sort(this.kinds);
        this.admin = new AdminFaults(cluster);
        this.disk = new DiskFaults(cluster, cluster.dir());
    }

    void start() {
        thread = new Thread(this::run, "jepsen-nemesis");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the current fault, which is healed. */
    void stop() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(60_000);
    }

    List<Fault> faults() {
        return new ArrayList<>(faults);
    }

    private void run() {
        try {
            while (!stop) {
                pause(1_500 + random.nextInt(2_500));
                if (stop || kinds.isEmpty()) {
                    break;
                }
                Kind k = kinds.get(random.nextInt(kinds.size()));
                try {
                    apply(k);
                    if (admin.unsupported(k) || (k == Kind.SLOW_DISK && !cluster.hasSlowDisk())) {
                        kinds.remove(k); // logged once in admin(); the rest of the run draws from what works
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("nemesis {} failed", k, e);
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
        try {
            cluster.healAll();
            for (long victim : admin.demoted()) {
                long start = System.nanoTime();
                boolean back = admin.promote(victim, 60_000);
                record(
                        Kind.DEMOTE_PROMOTE_MEMBER,
                        "final heal: promote n" + victim + (back ? "" : " FAILED"),
                        start,
                        System.nanoTime(),
                        false);
            }
        } catch (IOException | InterruptedException e) {
            LOG.warn("final heal failed", e);
        }
    }

    /** Sleeps, but a stop request cuts the wait short (the fault in progress is still healed). */
    private void pause(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!stop && System.nanoTime() < end) {
            Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
        }
    }

    long hold() {
        return 2L * cluster.electionMillis + random.nextInt(4 * cluster.electionMillis + 2_000);
    }

    private long randomNode() {
        List<Long> ids = cluster.ids();
        return ids.get(random.nextInt(ids.size()));
    }

    private long leaderOrRandom() {
        long l = cluster.leader();
        return l != 0 ? l : randomNode();
    }

    private void apply(Kind k) throws IOException, InterruptedException {
        long start = System.nanoTime();
        String detail;
        switch (k) {
            case KILL_RANDOM, KILL_LEADER -> {
                long id = k == Kind.KILL_LEADER ? leaderOrRandom() : randomNode();
                cluster.kill(id);
                long down = hold();
                sleepQuietly(down);
                cluster.start(id);
                detail = "SIGKILL n" + id + ", restarted after " + down + " ms";
            }
            case PAUSE_RANDOM, PAUSE_LEADER -> {
                long id = k == Kind.PAUSE_LEADER ? leaderOrRandom() : randomNode();
                cluster.pause(id);
                detail = "SIGSTOP n" + id;
                sleepQuietly(hold());
                cluster.resume(id);
            }
            case PARTITION_HALVES -> {
                List<Long> ids = new ArrayList<>(cluster.ids());
                Collections.shuffle(ids, random);
                List<Long> minority = ids.subList(0, ids.size() / 2);
                List<Long> majority = ids.subList(ids.size() / 2, ids.size());
                cutBetween(minority, majority);
                detail = "partition " + minority + " | " + majority;
                sleepQuietly(hold());
                healLinks();
            }
            case PARTITION_BRIDGE -> {
                List<Long> ids = new ArrayList<>(cluster.ids());
                Collections.shuffle(ids, random);
                long bridge = ids.get(0);
                int half = (ids.size() - 1) / 2;
                List<Long> left = ids.subList(1, 1 + half);
                List<Long> right = ids.subList(1 + half, ids.size());
                cutBetween(left, right);
                detail = "bridge n" + bridge + " between " + left + " and " + right;
                sleepQuietly(hold());
                healLinks();
            }
            case ISOLATE_LEADER -> {
                long id = leaderOrRandom();
                List<Long> rest = new ArrayList<>(cluster.ids());
                rest.remove(id);
                cutBetween(List.of(id), rest);
                detail = "isolate leader n" + id;
                sleepQuietly(hold());
                healLinks();
            }
            case LEADER_ONE_WAY -> {
                long id = leaderOrRandom();
                boolean outbound = random.nextBoolean();
                for (long other : cluster.ids()) {
                    if (other != id) {
                        (outbound ? cluster.link(id, other) : cluster.link(other, id)).cut();
                    }
                }
                detail = (outbound ? "cut leader n" + id + " -> others" : "cut others -> leader n" + id);
                sleepQuietly(hold());
                healLinks();
            }
            case SLOW_LINKS -> {
                long delay = 20 + random.nextInt(150);
                long bps = random.nextBoolean() ? 0 : 64 * 1024 + random.nextInt(256 * 1024);
                for (LinkProxy l : cluster.links()) {
                    l.delay(delay);
                    l.rate(bps);
                }
                detail = "all links +" + delay + " ms" + (bps > 0 ? ", " + bps / 1024 + " KiB/s" : "");
                sleepQuietly(hold());
                healLinks();
            }
            case SLOW_DISK -> {
                long id = random.nextBoolean() ? leaderOrRandom() : randomNode();
                long millis = 20 + random.nextInt(300);
                if (!cluster.slowDisk(id, millis)) {
                    LOG.info("slow-disk shim unavailable: SLOW_DISK faults are skipped for this run");
                    record(k, "fsync delay (shim unavailable, skipped)", start, System.nanoTime(), true);
                    return;
                }
                detail = "n" + id + " fsync +" + millis + " ms";
                sleepQuietly(hold());
                cluster.slowDisk(id, 0);
            }
            case TRANSFER_LEADER -> {
                AdminFaults.Outcome o = admin.transferLeader(random);
                record(k, o.detail(), start, System.nanoTime(), o.skipped());
                return;
            }
            case DEMOTE_PROMOTE_MEMBER -> {
                AdminFaults.Outcome o = admin.demoteAndPromote(random, this::hold);
                record(k, o.detail(), start, System.nanoTime(), o.skipped());
                return;
            }
            case WIPE_DISK, CORRUPT_FILE -> {
                long id = random.nextBoolean() ? leaderOrRandom() : randomNode();
                detail = k == Kind.WIPE_DISK ? disk.wipe(id) : disk.corrupt(id, random);
                // The fault lasts until the victim has recovered: one minority at a time.
                boolean recovered = disk.awaitRecovered(id, 30L * cluster.electionMillis + 30_000);
                detail += recovered ? ", recovered" : ", NOT recovered in time";
            }
            default -> throw new IllegalStateException("unknown fault " + k);
        }
        record(k, detail, start, System.nanoTime(), false);
    }

    /** Holds a fault for its full time even when stopping, so every fault lasts long enough to matter. */
    private static void sleepQuietly(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                // stop() interrupts to end the quiet gap; a fault in progress runs its course
            }
        }
    }

    private void cutBetween(List<Long> a, List<Long> b) {
        for (long x : a) {
            for (long y : b) {
                cluster.link(x, y).cut();
                cluster.link(y, x).cut();
            }
        }
    }

    private void healLinks() {
        for (LinkProxy l : cluster.links()) {
            l.heal();
        }
    }

    private void record(Kind k, String detail, long start, long end, boolean skipped) {
        LOG.info("nemesis: {} {}", k, detail);
        faults.add(new Fault(k.name(), detail, start, end, skipped));
    }

    /** "all", or a comma-separated list of kinds such as {@code KILL_LEADER,ISOLATE_LEADER}. */
    static Set<Kind> parse(String spec) {
        if (spec.equalsIgnoreCase("all")) {
            return all();
        }
        Set<Kind> out = EnumSet.noneOf(Kind.class);
        for (String s : spec.split(",")) {
            out.add(Kind.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT)));
        }
        return out;
    }

    static Set<Kind> all() {
        return new HashSet<>(EnumSet.allOf(Kind.class));
    }
}
