package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;

/** {@code transfer-leadership FROM TO}: the leader FROM starts handing leadership to TO. */
final class TransferLeadershipHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long from = args.id(0);
        long to = args.id(1);
        args.done(2);
        TestNode n = env.upNode(from);
        env.observe(n, "", () -> n.raft.transferLeadership(to));
        env.println(from + ": transferee=" + n.raft.status().transferee());
    }
}
