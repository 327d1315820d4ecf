package io.raftmanager.core;

import io.raftmanager.Role;

/** Volatile state worth telling the runtime about when it changes: the role and the known leader (0 if none). */
public record SoftState(Role role, long leader) {}
