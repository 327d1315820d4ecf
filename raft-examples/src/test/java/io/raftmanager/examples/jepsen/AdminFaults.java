package io.raftmanager.examples.jepsen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nemesis operations that go through raft-kv's admin HTTP API: leadership transfer ({@code POST
 * /leader {"id":N}}) and membership changes ({@code POST /members} demoting a voter to learner, then
 * promoting it back). An endpoint this build lacks (501, 405, or 404 "no such endpoint") is
 * logged once and its operation is reported as skipped from then on.
 */
final class AdminFaults {
    private static final Logger LOG = LoggerFactory.getLogger(AdminFaults.class);
    private static final int UNSUPPORTED = -2;

    /** What an operation did, for the timeline. */
    record Outcome(String detail, boolean skipped) {}

    private final KvCluster cluster;
    private final HttpClient http;
    private final Set<Nemesis.Kind> unsupported = EnumSet.noneOf(Nemesis.Kind.class);
    /** Members demoted and not yet promoted back; the final heal promotes them. */
    private final Set<Long> demoted = new TreeSet<>();

    AdminFaults(KvCluster cluster) {
        this.cluster = cluster;
        this.http = cluster.adminClient();
    }

    boolean unsupported(Nemesis.Kind k) {
        return unsupported.contains(k);
    }

    synchronized List<Long> demoted() {
        return new ArrayList<>(demoted);
    }

    Outcome transferLeader(Random random) throws InterruptedException {
        long from = cluster.leader();
        List<Long> others = new ArrayList<>(cluster.ids());
        others.remove(from);
        long to = others.get(random.nextInt(others.size()));
        int status =
                call(from == 0 ? to : from, "POST", "/leader", "{\"id\":" + to + "}", Nemesis.Kind.TRANSFER_LEADER);
        boolean skipped = status == UNSUPPORTED;
        return new Outcome(
                "transfer n" + from + " -> n" + to
                        + (skipped ? " (endpoint unavailable, skipped)" : ": HTTP " + status),
                skipped);
    }

    /**
     * Demotes a random follower to learner, waits {@code hold} ms, and promotes it back. (Until issue 17 this
     * removed the follower and added the same id back; removed ids are now tombstoned and never reused, so
     * the membership fault keeps the server's identity: the voter set shrinks and grows again while the
     * demoted server keeps receiving the log as a learner.)
     */
    Outcome demoteAndPromote(Random random, LongSupplier hold) throws InterruptedException {
        long leader = cluster.leader();
        if (leader == 0) {
            return new Outcome("no leader to ask (skipped)", true);
        }
        List<Long> others = new ArrayList<>(cluster.ids());
        others.remove(leader);
        long victim = others.get(random.nextInt(others.size()));
        int status = call(
                leader,
                "POST",
                "/members",
                "{\"id\":" + victim + ",\"role\":\"learner\"}",
                Nemesis.Kind.DEMOTE_PROMOTE_MEMBER);
        if (status == UNSUPPORTED) {
            return new Outcome("demote n" + victim + " (endpoint unavailable, skipped)", true);
        }
        if (status / 100 != 2) {
            return new Outcome("demote n" + victim + " refused: HTTP " + status, false);
        }
        synchronized (this) {
            demoted.add(victim);
        }
        Thread.sleep(hold.getAsLong());
        boolean back = promote(victim, 20_000);
        return new Outcome(
                "demote n" + victim + " to learner, then promote: "
                        + (back ? "done" : "not finished, retried at the end"),
                false);
    }

    /** Promotes {@code victim} back to voter, retrying refusals that ask for a retry (a lagging learner). */
    boolean promote(long victim, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            long leader = cluster.leader();
            if (leader == 0) {
                Thread.sleep(300);
                continue;
            }
            int status = call(
                    leader,
                    "POST",
                    "/members",
                    "{\"id\":" + victim + ",\"role\":\"voter\"}",
                    Nemesis.Kind.DEMOTE_PROMOTE_MEMBER);
            // 409 "already a voter": an earlier attempt whose answer was lost went through.
            if (status / 100 == 2 || (status == 409 && isVoter(victim))) {
                synchronized (this) {
                    demoted.remove(victim);
                }
                return true;
            }
            if (status == UNSUPPORTED) {
                return false;
            }
            Thread.sleep(300);
        }
        return false;
    }

    /** Whether the leader's status lists {@code id} with the voter (or leader) role. */
    private boolean isVoter(long id) {
        long leader = cluster.leader();
        if (leader == 0) {
            return false;
        }
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(cluster.adminUri(leader) + "/status"))
                            .timeout(Duration.ofSeconds(3))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = r.body();
            int member = body.indexOf("{\"id\":" + id + ",\"raft\"");
            int role = member < 0 ? -1 : body.indexOf("\"role\":\"", member);
            if (role < 0) {
                return false;
            }
            String value = body.substring(role + 8, body.indexOf('"', role + 8));
            return value.equals("voter") || value.equals("leader");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The HTTP status, -1 when the call failed, or {@link #UNSUPPORTED}. */
    private int call(long node, String method, String path, String body, Nemesis.Kind k) throws InterruptedException {
        if (unsupported.contains(k)) {
            return UNSUPPORTED;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(cluster.adminUri(node) + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        if (cluster.adminToken() != null) {
            req.header("Authorization", "Bearer " + cluster.adminToken());
        }
        req.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            int code = r.statusCode();
            if (code == 501 || code == 405 || (code == 404 && r.body().contains("no such endpoint"))) {
                LOG.info("{} {} answered {}: {} faults are skipped for this run", method, path, code, k);
                unsupported.add(k);
                return UNSUPPORTED;
            }
            if (code / 100 != 2) {
                LOG.info("{} {} on n{} answered {}: {}", method, path, node, code, r.body());
            }
            return code;
        } catch (IOException e) {
            LOG.info("{} {} on n{} failed: {}", method, path, node, e.toString());
            return -1;
        }
    }
}
