package io.raftmanager.core.interaction;

import com.google.protobuf.ByteString;
import io.raftmanager.core.TestNode;
import io.raftmanager.core.log.EntryId;

/** {@code propose ID DATA}: proposes a command (one word, UTF-8) at the node, printing the new entry's id. */
final class ProposeHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        String data = args.word(1);
        args.done(2);
        TestNode n = env.upNode(id);
        EntryId[] proposed = new EntryId[1];
        env.observe(n, "", () -> proposed[0] = n.raft.propose(ByteString.copyFromUtf8(data)));
        if (proposed[0] != null) {
            env.println(id + ": proposed " + proposed[0].term() + "/" + proposed[0].index());
        }
    }
}
