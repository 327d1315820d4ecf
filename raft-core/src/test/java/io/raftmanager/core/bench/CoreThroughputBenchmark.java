package io.raftmanager.core.bench;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the pure core: three {@link io.raftmanager.core.Raft} instances wired in memory on one
 * thread ({@link BenchCluster}), no I/O, 100-byte commands. Scores are committed entries per second.
 *
 * <ul>
 *   <li>{@link #unbatched}: propose one entry on the leader, deliver messages until the leader applied it;
 *   <li>{@link #batched}: the same with {@value #BATCH} entries per proposal (score per entry);
 *   <li>{@link #pipelined}: propose one entry, then deliver one round of messages without waiting for the
 *       commit, as a loaded leader does; commits trail proposals by a bounded few entries.
 * </ul>
 *
 * Run from the repository root with {@code raft-core/bench.sh} (see that script for the raw command).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CoreThroughputBenchmark {
    static final int COMMAND_BYTES = 100;
    static final int BATCH = 64;

    BenchCluster cluster;
    BenchCluster.Node leader;
    private ByteString command;
    private List<ByteString> batch;

    @Setup(Level.Trial)
    public void setup() {
        byte[] bytes = new byte[COMMAND_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        command = ByteString.copyFrom(bytes);
        List<ByteString> b = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            b.add(command);
        }
        batch = List.copyOf(b);
        cluster = new BenchCluster(3);
        leader = cluster.elect(1);
    }

    /** Lets the cluster settle and checks that it did commit and apply what was proposed. */
    @TearDown(Level.Iteration)
    public void settleAndCheck() {
        cluster.drain();
        long last = leader.raft.log().lastIndex();
        for (int id = 1; id <= cluster.size(); id++) {
            BenchCluster.Node n = cluster.node(id);
            if (n.appliedIndex != last || n.appliedNormal == 0) {
                throw new IllegalStateException("node " + id + " applied " + n.appliedIndex + " (" + n.appliedNormal
                        + " commands) of " + last + ": " + n.raft.status());
            }
        }
    }

    @Benchmark
    public long unbatched() {
        long index = cluster.propose(leader, command);
        cluster.pumpUntilApplied(leader, index);
        return index;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batched() {
        long index = cluster.proposeBatch(leader, batch);
        cluster.pumpUntilApplied(leader, index);
        return index;
    }

    @Benchmark
    public long pipelined() {
        long index = cluster.propose(leader, command);
        cluster.pumpRound();
        return index;
    }
}
