package io.raftmanager.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.StateMachine;
import io.raftmanager.testkit.linearizability.CheckResult;
import io.raftmanager.testkit.linearizability.Operation;
import io.raftmanager.testkit.linearizability.RegisterModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link SimCluster}'s own guarantees: determinism, faults that bite, and checked histories. */
class SimClusterTest {

    /** A register: a command "w:v" writes v, "c:e:v" swaps e for v; a query reads. */
    static final class Register implements StateMachine {
        private String value;

        @Override
        public ByteString apply(long index, ByteString command) {
            String[] parts = command.toStringUtf8().split(":", -1);
            if (parts[0].equals("w")) {
                value = parts[1];
                return ByteString.copyFromUtf8("ok");
            }
            String expected = parts[1].isEmpty() ? null : parts[1];
            boolean swap = java.util.Objects.equals(expected, value);
            if (swap) {
                value = parts[2];
            }
            return ByteString.copyFromUtf8(Boolean.toString(swap));
        }

        @Override
        public ByteString query(ByteString query) {
            return value == null ? ByteString.EMPTY : ByteString.copyFromUtf8("=" + value);
        }

        @Override
        public void close() {}
    }

    static final ClientHistory.Codec<RegisterModel.Input, RegisterModel.Output> CODEC = new ClientHistory.Codec<>() {
        @Override
        public ByteString encode(RegisterModel.Input in) {
            return switch (in.kind()) {
                case READ -> ByteString.EMPTY;
                case WRITE -> ByteString.copyFromUtf8("w:" + in.value());
                case CAS ->
                    ByteString.copyFromUtf8("c:" + (in.expected() == null ? "" : in.expected()) + ":" + in.value());
            };
        }

        @Override
        public RegisterModel.Output decode(RegisterModel.Input in, ByteString result) {
            String s = result.toString(StandardCharsets.UTF_8);
            return switch (in.kind()) {
                case READ -> RegisterModel.Output.value(s.isEmpty() ? null : s.substring(1));
                case WRITE -> RegisterModel.Output.done();
                case CAS -> RegisterModel.Output.cas(Boolean.parseBoolean(s));
            };
        }

        @Override
        public boolean isRead(RegisterModel.Input in) {
            return in.kind() == RegisterModel.Kind.READ;
        }
    };

    /** A seeded random workload with a fault every round; returns the history as text. */
    static List<Operation<RegisterModel.Input, RegisterModel.Output>> run(long seed, boolean diskFaults) {
        try (SimCluster cluster = SimCluster.builder()
                .seed(seed)
                .nodes(3)
                .stateMachine(id -> new Register())
                .build()) {
            cluster.awaitLeader();
            ClientHistory<RegisterModel.Input, RegisterModel.Output> h = cluster.history(CODEC);
            int unique = 0;
            for (int round = 0; round < 15; round++) {
                for (int client = 0; client < 3; client++) {
                    RegisterModel.Input in = switch (cluster.random().nextInt(3)) {
                        case 0 -> RegisterModel.read();
                        case 1 -> RegisterModel.write("v" + unique++);
                        default -> RegisterModel.cas("v" + (unique - 1), "v" + unique++);
                    };
                    h.invoke(client, in);
                }
                cluster.runFor(Duration.ofMillis(300));
                long leader = cluster.leader().orElse(1L);
                switch (round % 5) {
                    case 0 -> {
                        if (diskFaults) {
                            cluster.failDisk(leader);
                        } else {
                            cluster.isolate(leader);
                        }
                    }
                    case 2 -> cluster.partition(List.of(leader));
                    case 3 -> {
                        cluster.heal();
                        long other = leader % 3 + 1;
                        if (cluster.isRunning(other)) {
                            cluster.crash(other);
                        }
                    }
                    default -> {
                        cluster.heal();
                        for (long id : cluster.ids()) {
                            if (!cluster.isRunning(id)) {
                                cluster.restart(id);
                            }
                        }
                    }
                }
            }
            cluster.heal();
            cluster.runFor(Duration.ofSeconds(2));
            assertEquals(List.of(), cluster.divergences());
            return h.operations();
        }
    }

    @Test
    void sameSeedSameHistory() {
        assertEquals(run(11, false).toString(), run(11, false).toString());
        assertNotEquals(run(11, false).toString(), run(12, false).toString());
    }

    @Test
    void registerHistoriesUnderPartitionsAndDiskFaultsAreLinearizable() {
        for (long seed = 1; seed <= 3; seed++) {
            var ops = run(seed, true);
            CheckResult r = io.raftmanager.testkit.linearizability.LinearizabilityChecker.check(
                    new RegisterModel(), ops, Duration.ofSeconds(30));
            assertTrue(r.isLinearizable(), "seed " + seed + ": " + r);
            long ok = ops.stream()
                    .filter(o ->
                            o.outcome() == Operation.Outcome.OK && o.input().kind() != RegisterModel.Kind.READ)
                    .count();
            assertTrue(ok >= 5, "seed " + seed + ": only " + ok + " writes succeeded");
        }
    }

    @Test
    void aFailedDiskStopsTheLeaderFromAcknowledging() {
        try (SimCluster cluster =
                SimCluster.builder().stateMachine(id -> new Register()).build()) {
            long leader = cluster.awaitLeader();
            cluster.failDisk(leader);
            ClientHistory<RegisterModel.Input, RegisterModel.Output> h = cluster.history(CODEC);
            var write = h.invokeAt(leader, 1, RegisterModel.write("lost?"));
            cluster.runFor(Duration.ofSeconds(2));
            assertTrue(!write.isDone() || write.isCompletedExceptionally(), "acknowledged a write its disk refused");
            // The others carry on with a new leader.
            long next = cluster.leaders().stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            cluster.await(h.invokeAt(next, 2, RegisterModel.write("after")), Duration.ofSeconds(5))
                    .join();
            assertTrue(h.check(new RegisterModel()).isLinearizable());
        }
    }

    @Test
    void misuseIsRefusedClearly() {
        assertThrows(IllegalStateException.class, () -> SimCluster.builder().build());
        assertThrows(IllegalArgumentException.class, () -> SimCluster.builder().nodes(0));
        try (SimCluster cluster =
                SimCluster.builder().stateMachine(id -> new Register()).build()) {
            cluster.crash(1);
            assertThrows(IllegalStateException.class, () -> cluster.node(1));
            cluster.restart(1);
            assertThrows(IllegalStateException.class, () -> cluster.restart(1));
        }
    }
}
