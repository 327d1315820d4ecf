package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.ClientSession;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The re-apply contract for a state machine that persists its own state ({@link
 * io.raftmanager.StateMachine#apply}): after a restart of every server the log is applied again from the
 * start, and a state machine that follows the contract neither double-counts nor answers a session retry
 * or a digest differently; the naive one, which applies whatever it is given, double-counts.
 */
class DurableStateMachineRestartTest {
    private static ByteString n(long v) {
        return ByteString.copyFromUtf8(Long.toString(v));
    }

    private static long run(boolean naive, Map<Long, DurableCounterStateMachine> last) {
        Map<Long, DurableCounterStateMachine.Disk> disks = new HashMap<>();
        try (SimRuntimeCluster c = new SimRuntimeCluster(3, 11, b -> b.digestIntervalTicks(4), id -> {
            DurableCounterStateMachine sm = new DurableCounterStateMachine(
                    disks.computeIfAbsent(id, k -> new DurableCounterStateMachine.Disk()), naive);
            last.put(id, sm);
            return sm;
        })) {
            long leader = c.awaitLeader(3_000);
            ClientSession s =
                    c.await(c.nodes.get(leader).registerSession(), 2_000).join();
            for (long seq = 1; seq <= 5; seq++) {
                c.await(c.nodes.get(leader).propose(n(seq), s.id(), seq), 2_000).join();
            }
            c.runFor(300);
            c.restartAll(3);
            long newLeader = c.awaitLeader(5_000);
            assertEquals(
                    naive ? n(30) : n(15),
                    c.await(c.nodes.get(newLeader).propose(n(5), s.id(), 5), 2_000)
                            .join(),
                    "a session retry after the restart is answered with the result the replay recorded");
            c.await(c.nodes.get(newLeader).propose(n(10), s.id(), 6), 2_000).join();
            c.runFor(500);
            assertEquals(java.util.List.of(), c.divergences, "every server's digest agrees");
            long value = c.value(newLeader);
            for (long id : c.nodes.keySet()) {
                assertEquals(value, c.value(id), "server " + id);
            }
            return value;
        }
    }

    @Test
    void aStateMachineFollowingTheContractAppliesEachIndexOnceAcrossRestarts() {
        Map<Long, DurableCounterStateMachine> machines = new HashMap<>();
        assertEquals(25, run(false, machines), "1+2+3+4+5, then 10");
        assertTrue(machines.values().stream().allMatch(m -> m.reapplied > 0), "the restart replayed entries");
    }

    /** The planted bug: a durable state machine that ignores the contract counts the replay twice. */
    @Test
    void aNaiveDurableStateMachineDoubleCountsTheReplay() {
        assertEquals(40, run(true, new HashMap<>()));
    }
}
