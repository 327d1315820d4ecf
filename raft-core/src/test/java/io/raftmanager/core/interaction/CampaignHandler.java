package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/** {@code campaign ID}: the node starts an election now (a PreVote round first if configured). */
final class CampaignHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        args.done(1);
        TestNode n = env.upNode(id);
        if (!env.observe(n, "", n.raft::campaign)) {
            env.println(id + ": no change: " + InteractionEnv.state(n.raft));
        }
    }
}
