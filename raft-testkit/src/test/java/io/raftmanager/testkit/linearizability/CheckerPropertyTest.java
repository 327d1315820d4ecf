package io.raftmanager.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftmanager.testkit.linearizability.CheckResult.Verdict;
import io.raftmanager.testkit.linearizability.KvModel.Input;
import io.raftmanager.testkit.linearizability.KvModel.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random histories: the checker agrees with a brute-force enumeration of orders on small ones, and accepts
 * every history produced by running the model at random points inside the operations' intervals.
 */
class CheckerPropertyTest {

    private static final Duration BUDGET = Duration.ofSeconds(30);
    private static final KvModel MODEL = new KvModel();

    @Test
    void agreesWithBruteForceOnSmallHistories() {
        SplittableRandom random = new SplittableRandom(20261127);
        int[] verdicts = new int[2];
        for (int round = 0; round < 3000; round++) {
            List<Operation<Input, Output>> history = new ArrayList<>();
            int size = 1 + random.nextInt(7);
            for (int i = 0; i < size; i++) {
                history.add(randomOperation(random, i));
            }
            boolean expected = BruteForce.linearizable(MODEL, history);
            Verdict actual =
                    LinearizabilityChecker.check(MODEL, history, BUDGET).verdict();
            assertEquals(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE, actual, history::toString);
            verdicts[expected ? 1 : 0]++;
        }
        // Both verdicts must be well represented, or the comparison proves little.
        assertEquals(true, verdicts[0] > 500 && verdicts[1] > 500, () -> verdicts[0] + " / " + verdicts[1]);
    }

    private static Operation<Input, Output> randomOperation(SplittableRandom random, int client) {
        long call = random.nextInt(20);
        long ret = call + random.nextInt(8);
        String v = Integer.toString(random.nextInt(3));
        String w = Integer.toString(random.nextInt(3));
        Input in = switch (random.nextInt(6)) {
            case 0 -> KvModel.get("k");
            case 1 -> KvModel.put("k", v);
            case 2 -> KvModel.append("k", v);
            case 3 -> KvModel.incr("k", 1);
            case 4 -> KvModel.cas("k", random.nextInt(4) == 0 ? null : v, w);
            default -> KvModel.delete("k");
        };
        Output out = switch (in.kind()) {
            case GET, INCR -> Output.value(random.nextInt(4) == 0 ? null : w);
            case CAS -> Output.cas(random.nextBoolean());
            default -> Output.done();
        };
        return switch (random.nextInt(8)) {
            case 0 -> Operation.unknown(client, in, call);
            case 1 -> Operation.failed(client, in, call, ret);
            default -> Operation.ok(client, in, out, call, ret);
        };
    }

    @Test
    void acceptsHistoriesProducedByALinearizableExecutionAndRejectsThemMutated() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            List<Operation<Input, Output>> history = linearizableHistory(random, 8, 200, 10);
            CheckResult result = LinearizabilityChecker.check(MODEL, history, BUDGET);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::toString);

            // A read of a value nobody wrote can never be linearized.
            List<Operation<Input, Output>> mutated = new ArrayList<>(history);
            for (int i = random.nextInt(mutated.size()); ; i = (i + 1) % mutated.size()) {
                Operation<Input, Output> op = mutated.get(i);
                if (op.outcome() == Operation.Outcome.OK && op.input().kind() == KvModel.Kind.GET) {
                    mutated.set(
                            i,
                            Operation.ok(
                                    op.clientId(),
                                    op.input(),
                                    Output.value("never"),
                                    op.callNanos(),
                                    op.returnNanos()));
                    break;
                }
            }
            assertEquals(
                    Verdict.NOT_LINEARIZABLE,
                    LinearizabilityChecker.check(MODEL, mutated, BUDGET).verdict());
        }
    }

    @Test
    void tenThousandOperationsOnFiftyKeysWithinTenSeconds() {
        List<Operation<Input, Output>> history = linearizableHistory(new SplittableRandom(11), 10, 10_000, 50);
        CheckResult result = LinearizabilityChecker.check(MODEL, history, Duration.ofSeconds(10));
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::toString);
    }

    /**
     * Clients issue operations one at a time; each takes effect at a random instant inside its interval,
     * and outputs come from the model applied in the order of those instants. Some outcomes are then
     * forgotten (UNKNOWN), and some operations are refused without effect (FAILED).
     */
    static List<Operation<Input, Output>> linearizableHistory(
            SplittableRandom random, int clients, int operations, int keys) {
        record Planned(int client, Input input, long call, long point, long ret, int fate) {}
        List<Planned> planned = new ArrayList<>();
        long[] clock = new long[clients];
        for (int i = 0; i < operations; i++) {
            int c = random.nextInt(clients);
            long call = clock[c] + random.nextInt(5);
            long ret = call + 1 + random.nextInt(30);
            long point = call + random.nextLong(ret - call + 1);
            clock[c] = ret + 1;
            String key = "k" + random.nextInt(keys);
            String value = "v" + i;
            Input in = switch (random.nextInt(5)) {
                case 0, 1 -> KvModel.get(key);
                case 2 -> KvModel.put(key, value);
                case 3 -> KvModel.cas(key, "v" + random.nextInt(Math.max(1, i)), value);
                default -> KvModel.append(key, value);
            };
            planned.add(new Planned(c, in, call, point, ret, random.nextInt(20)));
        }
        planned.sort((a, b) -> Long.compare(a.point(), b.point()));
        java.util.Map<String, Optional<String>> state = new java.util.HashMap<>();
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (Planned p : planned) {
            if (p.fate() == 0) {
                history.add(Operation.failed(p.client(), p.input(), p.call(), p.ret()));
                continue;
            }
            Optional<String> before = state.getOrDefault(p.input().key(), Optional.empty());
            Optional<String> after = MODEL.step(before, p.input(), null).orElseThrow();
            state.put(p.input().key(), after);
            Output out = switch (p.input().kind()) {
                case GET -> Output.value(before.orElse(null));
                case CAS ->
                    Output.cas(!after.equals(before) || p.input().value().equals(before.orElse(null)));
                default -> Output.done();
            };
            history.add(
                    p.fate() == 1
                            ? Operation.unknown(p.client(), p.input(), p.call())
                            : Operation.ok(p.client(), p.input(), out, p.call(), p.ret()));
        }
        return history;
    }
}
