package io.raftmanager.transport.netty;

import io.raftmanager.InvalidMessageException.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The transport's counters; cheap to bump from any thread, read as a {@link NettyTransport.Stats}. */
final class Counters {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder droppedBackpressure = new LongAdder();
    final LongAdder droppedUnreachable = new LongAdder();
    final LongAdder droppedUnknownPeer = new LongAdder();
    final LongAdder droppedOversize = new LongAdder();
    final LongAdder droppedClosed = new LongAdder();
    final LongAdder tlsRejected = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    private final EnumMap<Reason, LongAdder> rejected = new EnumMap<>(Reason.class);

    Counters() {
        for (Reason r : Reason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    void rejected(Reason reason) {
        rejected.get(reason).increment();
    }

    NettyTransport.Stats snapshot(long queuedBytes) {
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        long total = 0;
        for (Map.Entry<Reason, LongAdder> e : rejected.entrySet()) {
            long v = e.getValue().sum();
            total += v;
            if (v != 0) {
                byReason.put(e.getKey(), v);
            }
        }
        return new NettyTransport.Stats(
                sent.sum(),
                received.sum(),
                droppedBackpressure.sum(),
                droppedUnreachable.sum(),
                droppedUnknownPeer.sum(),
                droppedOversize.sum(),
                droppedClosed.sum(),
                total,
                Map.copyOf(byReason),
                tlsRejected.sum(),
                connectFailures.sum(),
                queuedBytes);
    }
}
