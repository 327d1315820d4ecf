package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/**
 * {@code add-joiner ID}: creates a new server with an empty log and no configuration (joining mode), with
 * the options of {@code add-nodes}. It learns its configuration from the configuration entries the
 * leader sends once a change adds it.
 */
final class AddJoinerHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        if (env.nodes.containsKey(id)) {
            throw new ScriptException("node " + id + " exists");
        }
        env.nodes.put(id, TestNode.create(id, env.configTweak));
        env.println("added joiner " + id);
    }
}
