package io.raftmanager.node;

import io.raftmanager.RaftConfig;
import io.raftmanager.RaftListener;
import io.raftmanager.ReplicaDivergedException;
import io.raftmanager.Role;
import io.raftmanager.core.Raft;
import io.raftmanager.proto.DigestReport;
import io.raftmanager.proto.DivergenceNotice;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica consistency verification, on the event loop thread. The leader appends a digest marker every
 * {@link RaftConfig#digestIntervalTicks()} ticks (when anything was appended since the last one); each
 * server digests its state machine when it applies a marker and reports the digest to the leader, which
 * compares them. Once a quorum of voters agrees on a digest at an index, a server that reported another
 * one has diverged: the leader logs it at ERROR, counts it, tells its listeners and notifies that server,
 * which halts (no applying, serving, ticking or voting) until an operator rebuilds it. The core never sees
 * these messages: the verification rides next to Raft, not inside it.
 */
final class ConsistencyVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyVerifier.class);
    /** How many recent marker indexes keep their digests and reports. */
    private static final int KEPT = 16;

    private final Raft raft;
    private final RaftConfig config;
    private final Transport transport;
    private final Applier applier;
    private final NodeMetrics metrics;
    private final List<RaftListener> listeners;
    private final TreeMap<Long, Long> own = new TreeMap<>();
    private final TreeMap<Long, Map<Long, Long>> reports = new TreeMap<>();
    private final TreeMap<Long, Long> agreed = new TreeMap<>();
    private int ticksSinceMarker;
    private long lastMarkedIndex;
    private volatile boolean diverged;

    ConsistencyVerifier(
            RaftConfig config,
            Raft raft,
            Transport transport,
            Applier applier,
            NodeMetrics metrics,
            List<RaftListener> listeners) {
        this.raft = raft;
        this.config = config;
        this.transport = transport;
        this.applier = applier;
        this.metrics = metrics;
        this.listeners = listeners;
    }

    /** Called per tick: whether the leader should append a digest marker now. */
    boolean markerDue() {
        if (config.digestIntervalTicks() == 0 || raft.role() != Role.LEADER || diverged) {
            return false;
        }
        if (++ticksSinceMarker < config.digestIntervalTicks()) {
            return false;
        }
        ticksSinceMarker = 0;
        long last = raft.log().lastIndex();
        if (last == lastMarkedIndex) {
            return false; // nothing new since the last marker
        }
        lastMarkedIndex = last + 1;
        return true;
    }

    /** The applier recorded this server's digest at a marker. */
    void onLocalDigest(long index, long digest) {
        own.put(index, digest);
        trim(own);
        if (raft.role() == Role.LEADER) {
            record(index, raft.id(), digest);
        } else if (raft.leaderId() != 0) {
            transport.send(envelope(raft.leaderId())
                    .setDigestReport(DigestReport.newBuilder().setIndex(index).setDigest(digest))
                    .build());
        }
    }

    /**
     * Takes the messages that belong to verification, and vote requests while diverged; returns false for
     * every other message, which goes to the core.
     */
    boolean intercept(RaftMessage m) {
        switch (m.getBodyCase()) {
            case DIGEST_REPORT -> {
                if (fromPeer(m) && raft.role() == Role.LEADER) {
                    record(
                            m.getDigestReport().getIndex(),
                            m.getFrom(),
                            m.getDigestReport().getDigest());
                }
                return true;
            }
            case DIVERGENCE_NOTICE -> {
                if (fromPeer(m)) {
                    onNotice(m.getFrom(), m.getDivergenceNotice());
                }
                return true;
            }
            case VOTE_REQUEST -> {
                return diverged; // a diverged server must not help elect anyone
            }
            default -> {
                return false;
            }
        }
    }

    boolean diverged() {
        return diverged;
    }

    /** This server's digest at marker {@code index}, if still kept; for tests. Loop thread only. */
    Long digestAt(long index) {
        return own.get(index);
    }

    /** The highest marker index at which a quorum agreed (leader's view), or 0; for tests. Loop thread only. */
    long lastAgreedIndex() {
        return agreed.isEmpty() ? 0 : agreed.lastKey();
    }

    private boolean fromPeer(RaftMessage m) {
        return m.getClusterId().equals(config.clusterId())
                && m.getGroupId() == config.groupId()
                && m.getTo() == raft.id()
                && m.getFrom() != raft.id()
                && m.getFrom() != 0;
    }

    private void record(long index, long server, long digest) {
        Long expected = agreed.get(index);
        if (expected != null) {
            check(index, server, expected, digest);
            return;
        }
        Map<Long, Long> at = reports.computeIfAbsent(index, i -> new HashMap<>());
        if (reports.size() > KEPT) {
            reports.pollFirstEntry();
        }
        at.put(server, digest);
        Long mine = own.get(index);
        if (mine != null) {
            at.putIfAbsent(raft.id(), mine);
        }
        Long d = agreedDigest(raft.membership(), at);
        if (d != null) {
            agreed.put(index, d);
            trim(agreed);
            reports.remove(index);
            new TreeMap<>(at).forEach((s, reported) -> check(index, s, d, reported));
        }
    }

    /**
     * The digest a quorum of voters reported, or null if none yet: in a joint configuration a majority of
     * each half, as for every other decision (a majority of the incoming voters alone could outvote the
     * outgoing half and brand it diverged). Only voters make the reference digest; a learner's is checked
     * against it like any other.
     */
    static Long agreedDigest(Membership m, Map<Long, Long> reported) {
        for (long d : new TreeSet<>(reported.values())) {
            if (majorityReported(m.getVotersList(), reported, d)
                    && (m.getVotersOutgoingCount() == 0 || majorityReported(m.getVotersOutgoingList(), reported, d))) {
                return d;
            }
        }
        return null;
    }

    private static boolean majorityReported(List<Long> voters, Map<Long, Long> reported, long digest) {
        int agree = 0;
        for (long v : voters) {
            Long r = reported.get(v);
            if (r != null && r == digest) {
                agree++;
            }
        }
        return agree >= voters.size() / 2 + 1;
    }

    private void check(long index, long server, long expected, long reported) {
        if (expected == reported) {
            return;
        }
        LOG.error(
                "[{}] server {} DIVERGED at index {}: digest {} where a quorum has {}; it stops applying and voting",
                raft.id(),
                server,
                index,
                Long.toHexString(reported),
                Long.toHexString(expected));
        metrics.recordDivergence();
        notifyListeners(server, index, expected, reported);
        if (server == raft.id()) {
            halt(index);
        } else {
            transport.send(envelope(server)
                    .setDivergenceNotice(DivergenceNotice.newBuilder()
                            .setIndex(index)
                            .setExpectedDigest(expected)
                            .setReportedDigest(reported))
                    .build());
        }
    }

    private void onNotice(long from, DivergenceNotice n) {
        Long mine = own.get(n.getIndex());
        if (diverged || mine == null || mine == n.getExpectedDigest()) {
            return; // nothing of ours to disagree with: a stale or mistaken notice
        }
        LOG.error(
                "[{}] DIVERGED: server {} reports a quorum digest {} at index {} where this server has {}; "
                        + "stopping applying and voting until the state machine is rebuilt",
                raft.id(),
                from,
                Long.toHexString(n.getExpectedDigest()),
                n.getIndex(),
                Long.toHexString(mine));
        metrics.recordDivergence();
        notifyListeners(raft.id(), n.getIndex(), n.getExpectedDigest(), mine);
        halt(n.getIndex());
    }

    private void halt(long index) {
        diverged = true;
        applier.halt(new ReplicaDivergedException(
                "server " + raft.id() + " diverged at index " + index + "; its state machine must be rebuilt"));
    }

    private void notifyListeners(long server, long index, long expected, long reported) {
        for (RaftListener l : listeners) {
            try {
                l.onDivergence(server, index, expected, reported);
            } catch (RuntimeException e) {
                LOG.warn("[{}] listener failed", raft.id(), e);
            }
        }
    }

    private RaftMessage.Builder envelope(long to) {
        return RaftMessage.newBuilder()
                .setFormatVersion(FormatVersion.FORMAT_VERSION_1_VALUE)
                .setClusterId(config.clusterId())
                .setGroupId(config.groupId())
                .setFrom(raft.id())
                .setTo(to)
                .setTerm(raft.term());
    }

    private static void trim(TreeMap<Long, ?> map) {
        while (map.size() > KEPT) {
            map.pollFirstEntry();
        }
    }
}
