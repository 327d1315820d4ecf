package io.raftmanager.examples.kv.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-group orchestration of a node-wide membership change, with scripted group steps. */
class ShardedMembershipRunTest {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        executor.shutdownNow();
    }

    private static MembershipAdmin.Reply ok(int g, String result) {
        return new MembershipAdmin.Reply(200, Map.of("group", g, "result", result));
    }

    private List<ShardedMembership.Outcome> run(
            int groups, ShardedMembership.GroupStep step, int parallelism, long timeoutMillis) throws Exception {
        return new ShardedMembership(groups, step, parallelism, timeoutMillis, 1, executor)
                .run()
                .get(60, TimeUnit.SECONDS);
    }

    @Test
    void everyGroupRunsOnceWithAtMostTheParallelismInFlight() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Map<Integer, Integer> calls = new ConcurrentHashMap<>();
        ShardedMembership.GroupStep step = g -> {
            calls.merge(g, 1, Integer::sum);
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            // Answers a little later, from another thread, as a relayed step would.
            return CompletableFuture.supplyAsync(
                    () -> {
                        inFlight.decrementAndGet();
                        return ok(g, "promoted");
                    },
                    CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS));
        };
        List<ShardedMembership.Outcome> outcomes = run(100, step, 4, 60_000);
        assertEquals(100, outcomes.size());
        for (int g = 0; g < 100; g++) {
            assertEquals(g, outcomes.get(g).group());
            assertTrue(outcomes.get(g).done());
            assertEquals(1, calls.get(g), "group " + g + " ran once");
        }
        assertTrue(most.get() <= 4, "at most 4 groups at once, saw " + most.get());
        assertTrue(most.get() >= 2, "groups ran in parallel, saw " + most.get());

        MembershipAdmin.Reply r = ShardedMembership.summarize(4, GroupChange.Target.VOTER, outcomes);
        assertEquals(200, r.status());
        assertEquals("done", r.body().get("result"));
        assertEquals(
                "node 4 is a voter in all 100 groups (100 promoted)", r.body().get("summary"));
    }

    @Test
    void thousandsOfGroupsAnsweringAtOnceDoNotOverflowTheStack() throws Exception {
        List<ShardedMembership.Outcome> outcomes =
                run(20_000, g -> CompletableFuture.completedFuture(ok(g, "already a voter")), 2, 60_000);
        assertEquals(
                20_000,
                outcomes.stream().filter(ShardedMembership.Outcome::done).count());
    }

    @Test
    void retryAnswersAreRetriedUntilDoneAndRefusalsAreNot() throws Exception {
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        ShardedMembership.GroupStep step = g -> {
            int n = calls.computeIfAbsent(g, k -> new AtomicInteger()).incrementAndGet();
            return CompletableFuture.completedFuture(
                    switch (g) {
                        case 1 -> n < 3 ? MembershipAdmin.Reply.error(503, "catching up; retry") : ok(g, "promoted");
                        case 2 -> n < 2 ? MembershipAdmin.Reply.error(502, "cannot reach leader") : ok(g, "promoted");
                        case 3 -> MembershipAdmin.Reply.error(409, "REMOVED_PEER");
                        default -> ok(g, "already a voter");
                    });
        };
        List<ShardedMembership.Outcome> outcomes = run(4, step, 2, 60_000);
        assertEquals(
                List.of(1, 3, 2, 1),
                outcomes.stream().map(ShardedMembership.Outcome::attempts).toList());
        assertEquals(3, calls.get(1).get());
        assertEquals(1, calls.get(3).get(), "a refusal is final");

        MembershipAdmin.Reply r = ShardedMembership.summarize(4, GroupChange.Target.VOTER, outcomes);
        assertEquals(409, r.status(), "a refusal outranks the retries: repeating alone will not finish");
        assertEquals("partial", r.body().get("result"));
        assertEquals(List.of(3), r.body().get("failed"));
        assertEquals(
                "node 4 is a voter in 3 of 4 groups (1 already a voter, 2 promoted); not done in group 3 (group 3:"
                        + " 409 REMOVED_PEER). Repeat the request once that is fixed: groups already done are skipped",
                r.body().get("summary"));
    }

    @Test
    void theDeadlineEndsRetriesAndLeavesLaterGroupsUnattempted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ShardedMembership.GroupStep step = g -> {
            calls.incrementAndGet();
            // Group 0 answers "retry" quickly, then once more after the deadline; the others succeed.
            long delay = calls.get() == 1 ? 1 : 400;
            return CompletableFuture.supplyAsync(
                    () -> g == 0 ? MembershipAdmin.Reply.error(503, "no leader") : ok(g, "removed"),
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        };
        long start = System.nanoTime();
        // One lane: group 0 is retried once, its answer comes after the deadline, and the others find it passed.
        List<ShardedMembership.Outcome> outcomes = run(3, step, 1, 300);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis >= 300 && tookMillis < 30_000, "ran past the deadline: " + tookMillis + " ms");
        assertEquals(2, calls.get(), "group 0 twice, the others never");
        assertEquals(503, outcomes.get(0).reply().status());
        assertEquals(2, outcomes.get(0).attempts());
        assertEquals(504, outcomes.get(1).reply().status());
        assertEquals(0, outcomes.get(2).attempts(), "not attempted");

        MembershipAdmin.Reply r = ShardedMembership.summarize(7, GroupChange.Target.REMOVED, outcomes);
        assertEquals(503, r.status(), "retry: nothing refused the change");
        assertEquals("failed", r.body().get("result"));
        assertEquals(List.of(0, 1, 2), r.body().get("failed"));
        assertTrue(
                r.body()
                        .get("summary")
                        .toString()
                        .startsWith("node 7 is out of 0 of 3 groups; not done in groups 0,"
                                + " 1, 2 (group 0: 503 no leader). Repeat the request to finish"),
                r.body().get("summary").toString());
        assertEquals(
                504,
                ShardedMembership.summarize(7, GroupChange.Target.REMOVED, outcomes.subList(1, 3))
                        .status(),
                "only unknown outcomes: 504");
    }

    @Test
    void aFailingStepIsReportedNotThrown() throws Exception {
        List<ShardedMembership.Outcome> outcomes = run(
                2,
                g -> {
                    if (g == 1) {
                        throw new IllegalStateException("boom");
                    }
                    return CompletableFuture.failedFuture(new IllegalStateException("bang"));
                },
                2,
                60_000);
        List<Integer> statuses = new ArrayList<>();
        outcomes.forEach(o -> statuses.add(o.reply().status()));
        assertEquals(List.of(500, 500), statuses);
        assertTrue(outcomes.get(1).reply().body().get("error").toString().contains("boom"));
    }
}
