package io.raftmanager.examples.kv.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node-wide membership change with several groups: every group changes, each on its own leader, a few
 * groups at a time. A group answering "retry" (503: no leader, a change in progress, a learner catching
 * up; 502: its leader unreachable; 504: outcome unknown) is tried again with backoff until the deadline,
 * since a group's step is idempotent ({@link GroupChange}); any other failure is final for that group.
 * The reply names every group's outcome and sums them up, and a partial result says which groups are left:
 * repeating the request finishes them, the groups already done answering "already ...".
 */
final class ShardedMembership {
    static final int DEFAULT_PARALLELISM = 8;
    static final int MAX_PARALLELISM = 64;
    static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
    static final long MAX_TIMEOUT_MILLIS = 600_000;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    /** One group's step, run on the group's leader wherever it is; completes with its HTTP answer. */
    @FunctionalInterface
    interface GroupStep {
        CompletableFuture<MembershipAdmin.Reply> run(int group);
    }

    /** One group's final outcome and how many attempts it took. */
    record Outcome(int group, MembershipAdmin.Reply reply, int attempts) {
        boolean done() {
            return reply.status() == 200;
        }
    }

    private final int groups;
    private final GroupStep step;
    private final int parallelism;
    private final long deadlineNanos;
    private final long firstBackoffMillis;
    private final Executor executor;

    /**
     * @param executor runs the continuations (never a Raft event loop: nothing here blocks, but a long run
     *     of groups answering at once would otherwise recurse)
     */
    ShardedMembership(
            int groups,
            GroupStep step,
            int parallelism,
            long timeoutMillis,
            long firstBackoffMillis,
            Executor executor) {
        this.groups = groups;
        this.step = step;
        this.parallelism = Math.max(1, Math.min(parallelism, groups));
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.firstBackoffMillis = firstBackoffMillis;
        this.executor = executor;
    }

    /** Runs every group's step, at most {@code parallelism} at once; completes with one outcome per group. */
    CompletableFuture<List<Outcome>> run() {
        Outcome[] outcomes = new Outcome[groups];
        AtomicInteger next = new AtomicInteger();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            lanes.add(lane(next, outcomes));
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenApply(v -> List.of(outcomes));
    }

    /** Takes the next group not started yet, runs it to its outcome, then the next, until none is left. */
    private CompletableFuture<Void> lane(AtomicInteger next, Outcome[] outcomes) {
        int g = next.getAndIncrement();
        if (g >= groups) {
            return CompletableFuture.completedFuture(null);
        }
        if (System.nanoTime() - deadlineNanos >= 0) {
            outcomes[g] = new Outcome(g, MembershipAdmin.Reply.error(504, "not attempted: the deadline passed"), 0);
            return CompletableFuture.supplyAsync(() -> null, executor).thenCompose(v -> lane(next, outcomes));
        }
        return attempt(g, 1, firstBackoffMillis)
                .thenComposeAsync(
                        o -> {
                            outcomes[g] = o;
                            return lane(next, outcomes);
                        },
                        executor);
    }

    private CompletableFuture<Outcome> attempt(int g, int attempt, long backoffMillis) {
        CompletableFuture<MembershipAdmin.Reply> r;
        try {
            r = step.run(g);
        } catch (RuntimeException e) {
            r = CompletableFuture.failedFuture(e);
        }
        return r.handle((reply, e) -> reply != null ? reply : internal(e))
                .thenComposeAsync(
                        reply -> {
                            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                            if (reply.status() == 200 || !retryable(reply.status()) || left <= backoffMillis) {
                                return CompletableFuture.completedFuture(new Outcome(g, reply, attempt));
                            }
                            Executor later =
                                    CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS, executor);
                            return CompletableFuture.supplyAsync(() -> null, later)
                                    .thenCompose(v ->
                                            attempt(g, attempt + 1, Math.min(MAX_BACKOFF_MILLIS, 2 * backoffMillis)));
                        },
                        executor);
    }

    private static MembershipAdmin.Reply internal(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return MembershipAdmin.Reply.error(500, "internal error: " + t);
    }

    /** No leader, a change in progress, a learner catching up, an unreachable leader, an unknown outcome. */
    static boolean retryable(int status) {
        return status == 502 || status == 503 || status == 504;
    }

    /**
     * The node-wide answer: 200 when every group is done; otherwise the status of the first group that
     * failed for good (a refusal, 4xx), else 503 or 504 (retry), with {@code "result": "partial"} when some
     * groups changed. The body lists each group's outcome in group order.
     */
    static MembershipAdmin.Reply summarize(long id, GroupChange.Target target, List<Outcome> outcomes) {
        int done = 0;
        Map<String, Integer> results = new TreeMap<>();
        List<Integer> failed = new ArrayList<>();
        int refused = 0; // the first final failure's status
        boolean retry = false; // some group answered 502 or 503
        for (Outcome o : outcomes) {
            if (o.done()) {
                done++;
                results.merge(String.valueOf(o.reply().body().get("result")), 1, Integer::sum);
                continue;
            }
            failed.add(o.group());
            int s = o.reply().status();
            if (!retryable(s) && refused == 0) {
                refused = s;
            }
            retry |= s == 502 || s == 503;
        }
        int status = failed.isEmpty() ? 200 : refused != 0 ? refused : retry ? 503 : 504;
        int total = outcomes.size();
        String state = target == GroupChange.Target.REMOVED ? "out of" : "a " + target.role() + " in";
        StringBuilder summary = new StringBuilder("node " + id + " is " + state);
        summary.append(done == total ? " all " + total + " groups" : " " + done + " of " + total + " groups");
        StringBuilder counts = new StringBuilder();
        results.forEach((what, n) -> counts.append(counts.length() == 0 ? "" : ", ")
                .append(n)
                .append(' ')
                .append(what));
        if (counts.length() > 0) {
            summary.append(" (").append(counts).append(')');
        }
        if (!failed.isEmpty()) {
            Outcome first = outcomes.get(failed.get(0));
            summary.append("; not done in group")
                    .append(failed.size() > 1 ? "s " : " ")
                    .append(shortList(failed))
                    .append(" (group ")
                    .append(first.group())
                    .append(": ")
                    .append(first.reply().status())
                    .append(' ')
                    .append(first.reply().body().get("error"))
                    .append(
                            refused == 0
                                    ? "). Repeat the request to finish"
                                    : "). Repeat the request once that is fixed")
                    .append(": groups already done are skipped");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("target", target.role() + (target == GroupChange.Target.REMOVED ? "" : " in every group"));
        body.put("result", failed.isEmpty() ? "done" : done > 0 ? "partial" : "failed");
        body.put("summary", summary.toString());
        body.put("groups", total);
        body.put("done", done);
        body.put("failed", failed);
        List<Object> each = new ArrayList<>();
        for (Outcome o : outcomes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", o.group());
            m.put("status", o.reply().status());
            m.put("attempts", o.attempts());
            o.reply().body().forEach((k, v) -> {
                if (!k.equals("group") && !k.equals("status") && !k.equals("id")) {
                    m.put(k, v);
                }
            });
            each.add(m);
        }
        body.put("each", each);
        if (status != 200) {
            body.put("status", status);
            body.put("error", summary.toString());
        }
        return new MembershipAdmin.Reply(status, body);
    }

    /** "1, 3, 7" or, past ten groups, the first ten and a count. */
    private static String shortList(List<Integer> groups) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(10, groups.size()); i++) {
            b.append(i == 0 ? "" : ", ").append(groups.get(i));
        }
        if (groups.size() > 10) {
            b.append(" and ").append(groups.size() - 10).append(" more");
        }
        return b.toString();
    }
}
