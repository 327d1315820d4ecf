package io.raftmanager.core.interaction;

/**
 * {@code process-ready ID...}: each node hands out one Ready, which is carried out synchronously: its
 * messages are queued on the network, its entries and hard state persisted, its committed entries
 * applied, and the core is acknowledged (which may change its state, e.g. a candidate counting its own
 * now-durable vote).
 */
final class ProcessReadyHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(Integer.MAX_VALUE);
        if (args.count() == 0) {
            throw new ScriptException("process-ready needs node ids");
        }
        for (long id : args.ids(0)) {
            if (!env.processReady(id)) {
                env.println("> " + id + " has no Ready");
            }
        }
    }
}
