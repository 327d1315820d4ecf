package io.raftmanager.core.interaction;

import io.raftmanager.core.Status;
import io.raftmanager.core.TestNode;
import io.raftmanager.proto.HardState;
import java.util.List;

/**
 * {@code status [ID...]}: role, term, vote, leader, commit, applied and last index of each node (all if
 * none given), and a leader's progress per member. A crashed node shows what its storage holds.
 */
final class StatusHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(Integer.MAX_VALUE);
        List<Long> ids = args.count() == 0 ? List.copyOf(env.nodes.keySet()) : args.ids(0);
        for (long id : ids) {
            TestNode n = env.node(id);
            if (env.down.contains(id)) {
                HardState hs = n.storage.initialState().hardState();
                env.println(id + ": DOWN durable " + MessageFormatter.hardState(hs) + " last=" + n.storage.lastIndex());
                continue;
            }
            Status s = n.raft.status();
            env.println(MessageFormatter.status(s));
            env.println(MessageFormatter.membership(s));
            MessageFormatter.progress(s.progress()).forEach(env::println);
        }
    }
}
