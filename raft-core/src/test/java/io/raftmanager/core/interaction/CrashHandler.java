package io.raftmanager.core.interaction;

/**
 * {@code crash ID}: the node stops; what its core held but had not yet handed out in a Ready is lost.
 * Messages it already sent stay in flight; messages delivered to it while down are dropped.
 */
final class CrashHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        env.upNode(id);
        env.down.add(id);
        env.println(id + ": crashed");
    }
}
