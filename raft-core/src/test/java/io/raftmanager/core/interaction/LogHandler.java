package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;
import io.raftmanager.core.log.RaftLog;
import java.util.List;

/**
 * {@code log [ID...]}: each node's log on one line (all nodes if none given), durable and unstable
 * entries alike, so logs can be compared column by column. A crashed node shows its durable log.
 */
final class LogHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(Integer.MAX_VALUE);
        List<Long> ids = args.count() == 0 ? List.copyOf(env.nodes.keySet()) : args.ids(0);
        for (long id : ids) {
            TestNode n = env.node(id);
            if (env.down.contains(id)) {
                var entries = n.storage.entries(n.storage.firstIndex(), n.storage.lastIndex() + 1, Long.MAX_VALUE);
                env.println(id + ": " + MessageFormatter.entries(entries) + " (down: durable log)");
            } else {
                RaftLog log = n.raft.log();
                var entries = log.slice(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE);
                env.println(id + ": " + MessageFormatter.entries(entries) + " commit=" + log.committed());
            }
        }
    }
}
