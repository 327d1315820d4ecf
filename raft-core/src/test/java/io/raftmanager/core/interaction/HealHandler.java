package io.raftmanager.core.interaction;

/** {@code heal}: removes the partition; every node reaches every other again. */
final class HealHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(0);
        env.heal();
        env.println("healed");
    }
}
