package io.raftmanager.core.interaction;

/**
 * {@code stabilize}: repeats rounds of (one Ready on every up node, in id order; then delivery of every
 * queued message, recipients in id order) until no node has a Ready and no message is queued. Ticks are
 * not advanced, so heartbeats and elections do not start by themselves.
 */
final class StabilizeHandler implements Handler {
    private static final int MAX_ROUNDS = 1000;

    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(0);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            boolean progress = false;
            for (long id : env.nodes.keySet()) {
                if (!env.down.contains(id)) {
                    progress |= env.processReady(id);
                }
            }
            for (long to : env.recipients()) {
                env.deliver(to, false);
                progress = true;
            }
            if (!progress) {
                return;
            }
        }
        throw new ScriptException("stabilize did not converge in " + MAX_ROUNDS + " rounds");
    }
}
