package io.raftmanager.core;

import io.raftmanager.Role;
import io.raftmanager.proto.Membership;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only snapshot of a core's state, for diagnostics and tests.
 *
 * @param membership the configuration in effect (the last one applied)
 * @param transferee the target of a leadership transfer in progress, or 0
 * @param progress per member, a description of the leader's replication state (empty unless leader)
 */
public record Status(
        long id,
        long term,
        long vote,
        Role role,
        long leader,
        long commit,
        long applied,
        long lastIndex,
        Membership membership,
        long transferee,
        Map<Long, String> progress) {
    static Status of(Raft r) {
        Map<Long, String> progress = new TreeMap<>();
        if (r.role == Role.LEADER) {
            r.tracker.allProgress().forEach((peer, pr) -> progress.put(peer, pr.toString()));
        }
        return new Status(
                r.id,
                r.term,
                r.vote,
                r.role,
                r.leaderId,
                r.raftLog.committed(),
                r.raftLog.applied(),
                r.raftLog.lastIndex(),
                r.membership,
                r.leadTransferee,
                progress);
    }

    static Map<Long, Long> matchIndexes(Raft r) {
        Map<Long, Long> out = new TreeMap<>();
        if (r.role == Role.LEADER) {
            r.tracker.allProgress().forEach((peer, pr) -> out.put(peer, pr.match()));
        }
        return out;
    }
}
