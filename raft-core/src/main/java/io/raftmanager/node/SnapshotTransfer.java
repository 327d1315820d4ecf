package io.raftmanager.node;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftConfig;
import io.raftmanager.SnapshotConfig;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.InstallSnapshotRequest;
import io.raftmanager.proto.InstallSnapshotResponse;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.SnapshotChecksumException;
import io.raftmanager.spi.SnapshotIds;
import io.raftmanager.spi.SnapshotStore;
import io.raftmanager.spi.SnapshotWriter;
import io.raftmanager.spi.StorageException;
import io.raftmanager.spi.StorageFullException;
import io.raftmanager.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams snapshots between servers in chunks, over the ordinary {@link Transport} on its own thread
 * (so heartbeats and elections never wait behind it).
 *
 * <p>Sending (leader): one transfer per follower, of the latest snapshot in the store; at most {@code
 * windowChunks} chunks unacknowledged (memory per transfer is bounded by the window), throttled to
 * {@code maxBytesPerSecond}; a chunk not acknowledged in time is sent again from the last acknowledged
 * offset (go-back-N); a transfer without progress for ten timeouts is abandoned and reported as failed.
 *
 * <p>Receiving (follower): one partial snapshot at a time, kept in the store across reconnects and
 * restarts; a chunk at the wrong offset or with a bad CRC32C is refused with the offset to resend from
 * (which is how a restarted leader learns where to resume); a newer snapshot replaces an older partial
 * one; the complete snapshot's size and checksum are verified before the core hears of it.
 */
final class SnapshotTransfer implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTransfer.class);
    private static final int STALL_TIMEOUTS = 10;

    private final Mailbox<Object> queue = new Mailbox<>();
    private final RaftConfig config;
    private final SnapshotConfig sc;
    private final SnapshotStore store;
    private final Transport transport;
    private final EventLoopPort loop;
    private final NodeMetrics metrics;
    private final Scheduler scheduler;
    private final Throttle throttle;
    private final long timeoutNanos;
    private final Map<Long, Outbound> outbound = new HashMap<>();
    private Inbound inbound;

    /** One snapshot being sent to one follower. */
    private final class Outbound {
        final long peer;
        final long term;
        final SnapshotMeta meta;
        final long startNanos;
        InputStream in;
        long nextToSend;
        long acked;
        long lastProgressNanos;
        long lastAckNanos;

        Outbound(long peer, long term, SnapshotMeta meta, long now) {
            this.peer = peer;
            this.term = term;
            this.meta = meta;
            this.startNanos = now;
            this.lastProgressNanos = now;
            this.lastAckNanos = now;
        }

        /** Restarts reading at {@code offset}. */
        void rewind(long offset) {
            closeStream();
            in = store.open(meta, offset);
            nextToSend = offset;
            acked = offset;
        }

        void closeStream() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    LOG.debug("closing a snapshot stream failed", e);
                }
                in = null;
            }
        }
    }

    /** The partial snapshot being received. */
    private record Inbound(long from, SnapshotMeta meta, SnapshotWriter writer) {}

    SnapshotTransfer(
            RaftConfig config,
            SnapshotStore store,
            Transport transport,
            EventLoopPort loop,
            NodeMetrics metrics,
            Scheduler scheduler) {
        this.config = config;
        this.sc = config.snapshot();
        this.store = store;
        this.transport = transport;
        this.loop = loop;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.throttle = new Throttle(sc.maxBytesPerSecond(), Math.max(sc.chunkBytes(), sc.maxBytesPerSecond() / 10));
        this.timeoutNanos = sc.chunkTimeoutMillis() * 1_000_000L;
    }

    void bind(WorkerHandle h) {
        queue.bind(h);
    }

    void submit(Object task) {
        queue.add(task);
    }

    @Override
    public long idleNanos() {
        if (outbound.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long wait = Math.min(timeoutNanos, 10_000_000L);
        long throttled = throttle.nanosUntil(sc.chunkBytes());
        return throttled > 0 ? Math.min(wait, throttled) : wait;
    }

    @Override
    public int doWork() {
        int work = 0;
        Object task;
        while ((task = queue.poll()) != null) {
            work++;
            if (task instanceof Inputs.SendSnapshot s) {
                startSending(s.request());
            } else if (task instanceof Inputs.StopSending) {
                new ArrayList<>(outbound.values()).forEach(o -> finish(o, false, false));
            } else if (task instanceof RaftMessage m && m.hasInstallSnapshotResponse()) {
                onResponse(m);
            } else if (task instanceof RaftMessage m && m.hasInstallSnapshotRequest()) {
                onChunk(m);
            }
        }
        long now = scheduler.nanoTime();
        for (Outbound o : new ArrayList<>(outbound.values())) {
            work += pump(o, now);
        }
        return work;
    }

    @Override
    public void onClose() {
        outbound.values().forEach(Outbound::closeStream);
        outbound.clear();
        if (inbound != null) {
            inbound.writer().close(); // keeps the partial snapshot for resuming after a restart
            inbound = null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sending

    private void startSending(RaftMessage request) {
        long peer = request.getTo();
        long atLeast = request.getInstallSnapshotRequest().getMeta().getIndex();
        SnapshotMeta latest = store.latest();
        if (latest == null || latest.getIndex() < atLeast) {
            LOG.warn("[{}] cannot send {} a snapshot at or after {}: the latest is {}", id(), peer, atLeast, latest);
            loop.post(new Inputs.SnapshotReport(peer, false));
            return;
        }
        Outbound cur = outbound.get(peer);
        if (cur != null && cur.term == request.getTerm() && SnapshotIds.same(cur.meta, latest)) {
            return; // already streaming it
        }
        if (cur != null) {
            finish(cur, false, false);
        }
        Outbound o = new Outbound(peer, request.getTerm(), latest, scheduler.nanoTime());
        try {
            o.rewind(0);
        } catch (StorageException e) {
            LOG.warn("[{}] cannot read snapshot {} for {}", id(), SnapshotIds.describe(latest), peer, e);
            loop.post(new Inputs.SnapshotReport(peer, false));
            return;
        }
        LOG.info(
                "[{}] streams snapshot {} ({} bytes) to {}",
                id(),
                SnapshotIds.describe(latest),
                latest.getSizeBytes(),
                peer);
        outbound.put(peer, o);
    }

    private int pump(Outbound o, long now) {
        if (now - o.lastProgressNanos > timeoutNanos) {
            if (now - o.lastAckNanos > STALL_TIMEOUTS * timeoutNanos) {
                LOG.warn("[{}] abandons the snapshot transfer to {}: no progress", id(), o.peer);
                finish(o, false, true);
                return 1;
            }
            LOG.debug("[{}] resends snapshot to {} from {}", id(), o.peer, o.acked);
            if (!rewind(o, o.acked)) {
                return 1;
            }
            o.lastProgressNanos = now;
        }
        long size = o.meta.getSizeBytes();
        long window = (long) sc.chunkBytes() * sc.windowChunks();
        int sent = 0;
        while (o.nextToSend < size || (size == 0 && o.nextToSend == 0 && o.acked == 0 && sent == 0)) {
            if (o.nextToSend - o.acked >= window) {
                break;
            }
            int len = (int) Math.min(sc.chunkBytes(), size - o.nextToSend);
            if (!throttle.tryAcquire(len, now)) {
                break;
            }
            byte[] data;
            try {
                data = o.in.readNBytes(len);
            } catch (IOException | StorageException e) {
                LOG.warn("[{}] reading snapshot for {} failed", id(), o.peer, e);
                finish(o, false, true);
                return sent + 1;
            }
            if (data.length != len) {
                LOG.warn("[{}] snapshot {} is shorter than its metadata says", id(), SnapshotIds.describe(o.meta));
                finish(o, false, true);
                return sent + 1;
            }
            CRC32C crc = new CRC32C();
            crc.update(data);
            boolean done = o.nextToSend + len == size;
            transport.send(envelope(o.peer, o.term)
                    .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                            .setMeta(o.meta)
                            .setOffset(o.nextToSend)
                            .setData(ByteString.copyFrom(data))
                            .setChunkChecksum((int) crc.getValue())
                            .setDone(done))
                    .build());
            metrics.recordSnapshotBytesSent(len);
            o.nextToSend += len;
            sent++;
            if (size == 0) {
                break;
            }
        }
        return sent;
    }

    private boolean rewind(Outbound o, long offset) {
        try {
            o.rewind(offset);
            return true;
        } catch (StorageException e) {
            LOG.warn("[{}] snapshot {} for {} is gone", id(), SnapshotIds.describe(o.meta), o.peer, e);
            finish(o, false, true);
            return false;
        }
    }

    private void onResponse(RaftMessage m) {
        Outbound o = outbound.get(m.getFrom());
        InstallSnapshotResponse r = m.getInstallSnapshotResponse();
        if (o == null || r.getSnapshotIndex() != o.meta.getIndex() || r.getSnapshotTerm() != o.meta.getTerm()) {
            return; // answers an abandoned transfer
        }
        long now = scheduler.nanoTime();
        if (r.getAbandon()) {
            LOG.info("[{}] {} no longer wants snapshot {}", id(), o.peer, SnapshotIds.describe(o.meta));
            finish(o, false, true);
        } else if (r.getComplete()) {
            LOG.info("[{}] {} received snapshot {}", id(), o.peer, SnapshotIds.describe(o.meta));
            finish(o, true, true);
        } else if (r.getSuccess()) {
            if (r.getNextOffset() > o.acked && r.getNextOffset() <= o.nextToSend) {
                o.acked = r.getNextOffset();
                o.lastProgressNanos = now;
                o.lastAckNanos = now;
            }
        } else if (r.getNextOffset() <= o.meta.getSizeBytes()) {
            // Refused (resume point after a restart, a gap, or a corrupted chunk): go on from where it is.
            LOG.debug("[{}] {} asks for snapshot bytes from {}", id(), o.peer, r.getNextOffset());
            if (rewind(o, r.getNextOffset())) {
                o.lastProgressNanos = now;
                o.lastAckNanos = now;
            }
        }
    }

    private void finish(Outbound o, boolean succeeded, boolean report) {
        o.closeStream();
        outbound.remove(o.peer);
        metrics.recordSnapshotTransfer(scheduler.nanoTime() - o.startNanos, succeeded);
        if (report) {
            loop.post(new Inputs.SnapshotReport(o.peer, succeeded));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Receiving

    private void onChunk(RaftMessage m) {
        InstallSnapshotRequest req = m.getInstallSnapshotRequest();
        SnapshotMeta meta = req.getMeta();
        SnapshotMeta held = store.latest();
        if (held != null && SnapshotIds.same(held, meta)) {
            // Complete already (a duplicate, or the leader restarted): tell the core again, harmlessly.
            delivered(m, held);
            respond(m, meta, meta.getSizeBytes(), true, true, false);
            return;
        }
        if (held != null && held.getIndex() > meta.getIndex()) {
            // Our own state is newer: tell the core, which answers the leader with its commit index (a
            // leader whose log starts after its match for us would otherwise offer this snapshot forever).
            delivered(m, meta);
            respond(m, meta, 0, false, false, true);
            return;
        }
        if (inbound != null && !SnapshotIds.same(inbound.meta(), meta)) {
            if (meta.getIndex() < inbound.meta().getIndex()) {
                respond(m, meta, 0, false, false, true);
                return;
            }
            LOG.info(
                    "[{}] abandons partial snapshot {} for newer {}",
                    id(),
                    SnapshotIds.describe(inbound.meta()),
                    SnapshotIds.describe(meta));
            inbound.writer().close();
            inbound = null;
        }
        if (inbound == null) {
            inbound = new Inbound(m.getFrom(), meta, store.receive(meta));
        }
        SnapshotWriter w = inbound.writer();
        long pos = w.position();
        ByteString data = req.getData();
        if (req.getOffset() != pos || pos + data.size() > meta.getSizeBytes()) {
            respond(m, meta, pos, false, false, false);
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        if ((int) crc.getValue() != req.getChunkChecksum()) {
            LOG.warn("[{}] snapshot chunk at {} from {} is corrupted: asking again", id(), pos, m.getFrom());
            respond(m, meta, pos, false, false, false);
            return;
        }
        byte[] bytes = data.toByteArray();
        try {
            w.write(bytes, 0, bytes.length);
        } catch (StorageFullException e) {
            inbound = null;
            refuseForSpace(m, meta, w, e);
            return;
        }
        metrics.recordSnapshotBytesReceived(bytes.length);
        if (w.position() < meta.getSizeBytes()) {
            respond(m, meta, w.position(), true, false, false);
            return;
        }
        inbound = null;
        SnapshotMeta full;
        try {
            full = w.commit();
        } catch (SnapshotChecksumException e) {
            LOG.warn("[{}] received snapshot failed verification, starting over: {}", id(), e.getMessage());
            respond(m, meta, 0, false, false, false);
            return;
        } catch (StorageFullException e) {
            refuseForSpace(m, meta, w, e);
            return;
        }
        LOG.info("[{}] received snapshot {} from {}", id(), SnapshotIds.describe(full), m.getFrom());
        delivered(m, full);
        respond(m, meta, meta.getSizeBytes(), true, true, false);
    }

    /**
     * The disk is full: not fatal. The transfer is abandoned (the leader's core tries again later) and the
     * bytes already received are kept for a resumed transfer once space returns.
     */
    private void refuseForSpace(RaftMessage chunk, SnapshotMeta meta, SnapshotWriter w, StorageFullException e) {
        LOG.warn(
                "[{}] abandons snapshot {} from {} for now: {}",
                id(),
                SnapshotIds.describe(meta),
                chunk.getFrom(),
                e.getMessage());
        try {
            w.close(); // keeps the partial bytes
        } catch (RuntimeException closing) {
            LOG.warn("[{}] closing the partial snapshot failed: {}", id(), closing.toString());
        }
        respond(chunk, meta, 0, false, false, true);
    }

    private void delivered(RaftMessage chunk, SnapshotMeta full) {
        loop.post(new Inputs.SnapshotReceived(chunk.toBuilder()
                .setInstallSnapshotRequest(InstallSnapshotRequest.newBuilder()
                        .setMeta(full)
                        .setOffset(full.getSizeBytes())
                        .setDone(true))
                .build()));
    }

    private void respond(
            RaftMessage chunk, SnapshotMeta meta, long next, boolean success, boolean complete, boolean abandon) {
        transport.send(envelope(chunk.getFrom(), chunk.getTerm())
                .setInstallSnapshotResponse(InstallSnapshotResponse.newBuilder()
                        .setSnapshotIndex(meta.getIndex())
                        .setSnapshotTerm(meta.getTerm())
                        .setNextOffset(next)
                        .setSuccess(success)
                        .setComplete(complete)
                        .setAbandon(abandon))
                .build());
    }

    private RaftMessage.Builder envelope(long to, long term) {
        return RaftMessage.newBuilder()
                .setFormatVersion(FormatVersion.FORMAT_VERSION_1_VALUE)
                .setClusterId(config.clusterId())
                .setGroupId(config.groupId())
                .setFrom(config.nodeId())
                .setTo(to)
                .setTerm(term);
    }

    private long id() {
        return config.nodeId();
    }
}
