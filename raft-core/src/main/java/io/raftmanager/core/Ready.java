package io.raftmanager.core;

import io.raftmanager.proto.Entry;
import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import java.util.List;

/**
 * One batch of effects the core asks the runtime to carry out, in this order:
 *
 * <ol>
 *   <li>send {@link #messages()} (they do not depend on anything being durable); an {@code
 *       install_snapshot_request} among them is not for the wire but asks the runtime to stream its latest
 *       snapshot to that peer, and to report the outcome with {@link Raft#reportSnapshot};
 *   <li>persist {@link #hardState()} and {@link #entriesToPersist()} in one atomic write (the first entry's
 *       index implies truncating any stored suffix from there), synced if {@link #mustSync()};
 *   <li>then send {@link #messagesAfterPersist()} (answers that promise durable state) and call {@link
 *       Raft#persisted(long)} with {@link #number()};
 *   <li>apply {@link #entriesToApply()} in order, then call {@link Raft#applied(long)}; if {@link
 *       #snapshot()} is set, after those entries install that snapshot into the state machine (replacing
 *       its whole state) and call {@link Raft#applied(long)} with its index.
 * </ol>
 *
 * Readys must be persisted in the order they were produced; acknowledging number n acknowledges every
 * earlier one. {@link Raft#advance(Ready)} acknowledges both steps at once for a runtime that did them.
 *
 * @param number a sequence number, starting at 1
 * @param softState the new role/leader, or {@code null} if unchanged
 * @param hardState term, vote and commit index to write, or {@code null} if nothing must be written: a
 *     commit index that advanced while term and vote did not is written lazily (at the next tick, when the
 *     group quiesces, or at once if a configuration entry waits for it), because it need not be durable
 * @param readStates reads confirmed since the last Ready: serve each once its index is applied
 * @param membership the configuration in effect after {@link #entriesToApply()}, or {@code null} if they
 *     hold no configuration entry. The core has already switched to it (configurations take effect when
 *     their entries are handed out for applying); the runtime tells its listeners, and records the
 *     configuration in effect at each applied index so that a snapshot taken there carries it.
 * @param snapshot a snapshot received from the leader that replaces this server's log and state, or
 *     {@code null}: persist it with the entries (see {@link LogBatch}) and install it after applying
 *     {@link #entriesToApply()}
 */
public record Ready(
        long number,
        SoftState softState,
        HardState hardState,
        List<Entry> entriesToPersist,
        List<RaftMessage> messages,
        List<RaftMessage> messagesAfterPersist,
        List<Entry> entriesToApply,
        List<ReadState> readStates,
        Membership membership,
        SnapshotMeta snapshot,
        boolean mustSync) {

    /** The storage write this Ready asks for. */
    public LogBatch toLogBatch() {
        return new LogBatch(hardState, entriesToPersist, snapshot, mustSync);
    }

    /** True when there is something to write to storage. */
    public boolean hasPersistWork() {
        return hardState != null || !entriesToPersist.isEmpty() || snapshot != null;
    }
}
