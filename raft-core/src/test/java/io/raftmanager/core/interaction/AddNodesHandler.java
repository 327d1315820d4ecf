package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;
import java.util.stream.LongStream;

/**
 * {@code add-nodes N [prevote=false] [checkquorum=false] [election=10] [heartbeat=1] [max-msg-bytes=1048576]
 * [learner-margin=0]}: creates nodes 1..N, all voters, each seeded with its id so election jitter is
 * reproducible. A small {@code max-msg-bytes} makes every MsgApp carry a single entry; {@code
 * learner-margin} is how far behind a learner may be and still be promoted (and count as caught up).
 */
final class AddNodesHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        int n = (int) args.id(0);
        boolean preVote = args.boolOption("prevote", false);
        boolean checkQuorum = args.boolOption("checkquorum", false);
        int election = (int) args.longOption("election", 10);
        int heartbeat = (int) args.longOption("heartbeat", 1);
        long maxMsgBytes = args.longOption("max-msg-bytes", 1L << 20);
        long learnerMargin = args.longOption("learner-margin", 0);
        args.done(1);
        if (!env.nodes.isEmpty()) {
            throw new ScriptException("nodes already added");
        }
        long[] voters = LongStream.rangeClosed(1, n).toArray();
        env.configTweak = b -> b.preVote(preVote)
                .checkQuorum(checkQuorum)
                .electionTicks(election)
                .heartbeatTicks(heartbeat)
                .maxMessageBytes(maxMsgBytes)
                .learnerCatchUpMarginEntries(learnerMargin);
        for (long id : voters) {
            env.nodes.put(id, TestNode.create(id, env.configTweak, voters));
        }
        env.println("added " + env.nodes.keySet() + " prevote=" + preVote + " checkquorum=" + checkQuorum
                + " election=" + election + " heartbeat=" + heartbeat
                + (maxMsgBytes == 1L << 20 ? "" : " max-msg-bytes=" + maxMsgBytes));
    }
}
