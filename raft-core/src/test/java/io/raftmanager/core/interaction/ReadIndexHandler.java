package io.raftmanager.core.interaction;

import com.google.protobuf.ByteString;
import io.raftmanager.NotLeaderException;
import io.raftmanager.core.TestNode;

/**
 * {@code read-index ID CTX [lease=false]}: asks the node for a read index with the one-word context CTX
 * (a follower forwards it to its leader). The answer shows up as a {@code read:} line of a later Ready.
 */
final class ReadIndexHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        String context = args.word(1);
        boolean lease = args.boolOption("lease", false);
        args.done(2);
        TestNode n = env.upNode(id);
        try {
            env.observe(n, "", () -> n.raft.readIndex(ByteString.copyFromUtf8(context), lease));
        } catch (NotLeaderException e) {
            env.println(id + ": refused, no leader known");
        }
    }
}
