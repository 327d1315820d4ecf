package io.raftmanager.core.interaction;

import io.raftmanager.Role;
import io.raftmanager.core.TestNode;

/** {@code tick ID [N]}: advances the node's logical clock by N ticks (default 1), printing state changes. */
final class TickHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        long ticks = args.count() > 1 ? args.id(1) : 1;
        args.done(2);
        tick(env, env.upNode(id), ticks, false);
    }

    /**
     * Ticks up to {@code max} times; each tick that changes the node's state is printed with its number.
     * With {@code stopOnTimeout} the ticking ends at the first change, or when a non-leader has something
     * to send (a pre-candidate or candidate whose election timed out campaigns again without changing
     * state).
     */
    static void tick(InteractionEnv env, TestNode n, long max, boolean stopOnTimeout) {
        boolean changed = false;
        for (long i = 1; i <= max; i++) {
            boolean hadReady = n.raft.hasReady();
            changed |= env.observe(n, "tick " + i + ": ", n.raft::tick);
            boolean campaigned = !hadReady && n.raft.hasReady() && n.raft.role() != Role.LEADER;
            if (stopOnTimeout && (changed || campaigned)) {
                env.println("ticked " + i + (changed ? "" : ", " + n.id + " has a Ready"));
                return;
            }
        }
        env.println("ticked " + max + (changed ? "" : ", no change"));
    }
}
