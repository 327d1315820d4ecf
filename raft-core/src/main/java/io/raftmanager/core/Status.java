package io.raftmanager.core;

import io.raftmanager.Role;
import java.util.Map;

/**
 * A read-only snapshot of a core's state, for diagnostics and tests.
 *
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
        Map<Long, String> progress) {}
