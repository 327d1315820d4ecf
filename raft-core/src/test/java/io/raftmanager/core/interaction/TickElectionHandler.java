package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/**
 * {@code tick-election ID}: ticks until the node's state changes, at most {@code 2 * electionTicks} times:
 * enough to cross any randomized election timeout (drawn from {@code [election, 2 * election)}), and for
 * a CheckQuorum leader enough for one full quorum check.
 */
final class TickElectionHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        TestNode n = env.upNode(id);
        TickHandler.tick(env, n, 2L * n.config.electionTicks(), true);
    }
}
