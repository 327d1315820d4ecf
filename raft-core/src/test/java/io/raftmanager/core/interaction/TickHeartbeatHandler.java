package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/** {@code tick-heartbeat ID}: ticks {@code heartbeatTicks} times, so a leader sends one round of heartbeats. */
final class TickHeartbeatHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        TestNode n = env.upNode(id);
        TickHandler.tick(env, n, n.config.heartbeatTicks(), false);
    }
}
