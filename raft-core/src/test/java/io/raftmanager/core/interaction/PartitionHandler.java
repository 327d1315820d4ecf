package io.raftmanager.core.interaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code partition 1,2 3}: cuts the network into groups; a message between groups is dropped when it is
 * delivered (messages already queued included). Nodes named in no group are isolated alone.
 */
final class PartitionHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(Integer.MAX_VALUE);
        if (args.count() < 1) {
            throw new ScriptException("partition needs at least one group");
        }
        List<Set<Long>> groups = new ArrayList<>();
        List<String> text = new ArrayList<>();
        for (int i = 0; i < args.count(); i++) {
            Set<Long> g = Args.parseIdSet(args.word(i));
            groups.add(g);
            text.add(g.toString());
        }
        env.partition(groups);
        env.println("partitioned " + String.join(" | ", text));
    }
}
