package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.NodeStatus;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.storage.memory.MemoryLogStorage;
import io.raftmanager.testkit.SimScheduler;
import io.raftmanager.transport.local.LocalNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real runtime (event loop, log writer, applier, futures) for three nodes on one thread under
 * {@link SimScheduler}: virtual time, seeded elections, partitions. Same seed, same history.
 */
class RuntimeSimulationTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** What one seeded run produced, to compare runs. */
    record Outcome(List<String> events, Map<Long, String> finalValues, int acknowledged) {}

    private static Outcome run(long seed) {
        SimScheduler scheduler = new SimScheduler();
        LocalNetwork net = new LocalNetwork();
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Long, RaftNode> nodes = new LinkedHashMap<>();
        Map<Long, CounterStateMachine> machines = new LinkedHashMap<>();
        List<String> events = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            long nodeId = id;
            CounterStateMachine sm = new CounterStateMachine();
            RaftNode n = RaftNode.builder()
                    .config(LocalCluster.config(id))
                    .storage(MemoryLogStorage.withVoters(1, 2, 3))
                    .transport(net.transport(id))
                    .stateMachine(sm)
                    .scheduler(scheduler)
                    .random(rnd.split())
                    .build();
            n.addListener(new RaftListener() {
                @Override
                public void onRoleChange(Role role, long term, long leader) {
                    events.add(nodeId + " " + role + " t" + term + " l" + leader);
                }
            });
            n.start();
            nodes.put(id, n);
            machines.put(id, sm);
        }
        int acknowledged = 0;
        List<CompletableFuture<ByteString>> inFlight = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            scheduler.runFor(5 * MS);
            if (round % 50 == 25) {
                long victim = 1 + rnd.nextInt(3);
                net.isolate(victim);
                events.add("isolate " + victim);
            } else if (round % 50 == 45) {
                net.heal();
                events.add("heal");
            }
            for (RaftNode n : nodes.values()) {
                CompletableFuture<NodeStatus> s = n.status();
                scheduler.runUntilIdle();
                if (s.join().role() == Role.LEADER) {
                    inFlight.add(n.propose(ByteString.copyFromUtf8("1")));
                }
            }
        }
        net.heal();
        scheduler.runFor(2_000 * MS);
        for (CompletableFuture<ByteString> f : inFlight) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                acknowledged++;
            }
        }
        Map<Long, String> values = new LinkedHashMap<>();
        machines.forEach((id, sm) -> values.put(id, sm.query(ByteString.EMPTY).toStringUtf8()));
        nodes.values().forEach(RaftNode::close);
        return new Outcome(events, values, acknowledged);
    }

    @Test
    void runtimeUnderTheSimulatorConvergesAndKeepsAcknowledgedWrites() {
        for (long seed = 1; seed <= 5; seed++) {
            Outcome o = run(seed);
            assertTrue(o.acknowledged() > 0, "seed " + seed + " made progress: " + o);
            long value = Long.parseLong(o.finalValues().get(1L));
            assertTrue(value >= o.acknowledged(), "seed " + seed + ": acknowledged writes survive: " + o);
            assertEquals(1, o.finalValues().values().stream().distinct().count(), "seed " + seed + " converged: " + o);
        }
    }

    @Test
    void sameSeedGivesTheSameRuntimeHistory() {
        assertEquals(run(7), run(7));
    }
}
