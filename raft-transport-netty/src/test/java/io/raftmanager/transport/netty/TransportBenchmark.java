package io.raftmanager.transport.netty;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.HeartbeatRequest;
import io.raftmanager.proto.HeartbeatResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two transports on loopback, plaintext or mutual TLS.
 *
 * <ul>
 *   <li>{@link #appendEntries}: AppendEntries of 64 × 100-byte entries (frame size in {@link #FRAME_BYTES}),
 *       sent in windows of {@value #WINDOW} and waited for; score = messages/s (MB/s = score × frame bytes);
 *   <li>{@link #roundTrip}: a 100-byte heartbeat to the peer, which answers with a 100-byte response;
 *       score = round-trip time distribution (p50/p99 in the JMH output).
 * </ul>
 *
 * Run from {@code raft-transport-netty} after {@code mvn -o test} of raft-core and this module (the
 * dependency plugin is not available offline, so the class path is taken from a Surefire report):
 * <pre>
 * python3 -c "import re;print(re.search(r'surefire.test.class.path\" value=\"([^\"]*)',
 *   open('target/surefire-reports/TEST-io.raftmanager.transport.netty.BackpressureTest.xml').read())[1])" \
 *   &gt; target/cp.txt
 * java -cp "$(cat target/cp.txt)" org.openjdk.jmh.Main TransportBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class TransportBenchmark {
    static final int WINDOW = 512;
    static final int FRAME_BYTES = (int) Frames.frameBytes(Msgs.append(1, 2, 64, 100));

    @Param({"plaintext", "tls"})
    public String security;

    private Nodes nodes;
    private NettyTransport sender;
    private RaftMessage append;
    private RaftMessage ping;
    private final AtomicLong appendsReceived = new AtomicLong();
    private final AtomicLong pongsReceived = new AtomicLong();
    private long appendsSent;
    private long pingsSent;

    @Setup(Level.Trial)
    public void setup() {
        nodes = new Nodes();
        boolean tls = security.equals("tls");
        TestCerts certs = tls ? TestCerts.get() : null;
        NettyTransport[] receiver = new NettyTransport[1];
        InboundHandler receiverHandler = new InboundHandler() {
            @Override
            public void onMessage(RaftMessage m) {
                if (m.hasAppendRequest()) {
                    appendsReceived.incrementAndGet();
                } else if (m.hasHeartbeatRequest()) {
                    receiver[0].send(Msgs.envelope(2, 1)
                            .setHeartbeatResponse(HeartbeatResponse.newBuilder()
                                    .setContext(m.getHeartbeatRequest().getContext()))
                            .build());
                }
            }
        };
        InboundHandler senderHandler = new InboundHandler() {
            @Override
            public void onMessage(RaftMessage m) {
                pongsReceived.incrementAndGet();
            }
        };
        NettyTransportConfig.Builder c2 = Nodes.config(2, Map.of(1L, Nodes.ANY_LOCAL))
                .peerQueueBytes(64L << 20)
                .ioThreads(1);
        receiver[0] = new NettyTransport((tls ? c2.tls(certs.pem("b")) : c2).build());
        receiver[0].start(receiverHandler);
        NettyTransportConfig.Builder c1 = Nodes.config(1, Map.of(2L, receiver[0].boundAddress()))
                .peerQueueBytes(64L << 20)
                .ioThreads(1);
        sender = new NettyTransport((tls ? c1.tls(certs.pem("a")) : c1).build());
        sender.start(senderHandler);
        receiver[0].addPeer(1, sender.boundAddress());
        append = Msgs.append(1, 2, 64, 100);
        ping = Msgs.envelope(1, 2)
                .setHeartbeatRequest(HeartbeatRequest.newBuilder().setContext(ByteString.copyFrom(new byte[100])))
                .build();
        // Open both connections before measuring.
        roundTrip();
        sender.send(append);
        appendsSent++;
        awaitAppends();
        receiverRef = receiver[0];
    }

    private NettyTransport receiverRef;

    @TearDown(Level.Trial)
    public void tearDown() {
        NettyTransport.Stats s = sender.stats();
        sender.close();
        receiverRef.close();
        if (s.droppedBackpressure() + s.droppedUnreachable() != 0) {
            throw new IllegalStateException("messages were dropped: " + s);
        }
        System.out.println("\nframe bytes per AppendEntries: " + FRAME_BYTES + "; sender stats: " + s);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void appendEntries() {
        for (int i = 0; i < WINDOW; i++) {
            sender.send(append);
        }
        appendsSent += WINDOW;
        awaitAppends();
    }

    private void awaitAppends() {
        // Park rather than spin: on a 2-core machine a spinning benchmark thread takes a core from the
        // event loops it is measuring.
        while (appendsReceived.get() < appendsSent) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void roundTrip() {
        pingsSent++;
        sender.send(ping);
        while (pongsReceived.get() < pingsSent) {
            Thread.onSpinWait();
        }
    }
}
