package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/** {@code restart ID}: recreates a crashed node's core from its storage (hard state and durable log). */
final class RestartHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        TestNode n = env.node(id);
        if (!env.down.remove(id)) {
            throw new ScriptException("node " + id + " is not down");
        }
        n.restart();
        env.println(MessageFormatter.status(n.raft.status()) + " (restarted)");
        env.println(MessageFormatter.membership(n.raft.status()));
    }
}
