package io.raftmanager.core;

import io.raftmanager.Role;
import io.raftmanager.proto.Membership;
import java.util.Map;

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
        Map<Long, String> progress) {}
