package io.raftmanager.core.interaction;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code deliver-msgs [ID...] [drop=ID,...]}: delivers the messages queued for the given nodes (all nodes
 * if none are given), oldest first per recipient, recipients in id order; messages queued for the nodes in
 * {@code drop} are discarded instead. Messages produced while stepping wait for the next process-ready.
 */
final class DeliverMsgsHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        Set<Long> drop = args.idSetOption("drop");
        args.done(Integer.MAX_VALUE);
        List<Long> ids = args.ids(0);
        Set<Long> targets = new TreeSet<>(ids.isEmpty() ? env.recipients() : ids);
        targets.addAll(drop);
        for (long to : targets) {
            env.deliver(to, drop.contains(to));
        }
        if (!env.hasOutput()) {
            env.println("no messages");
        }
    }
}
