package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;
import io.raftmanager.proto.SnapshotMeta;

/**
 * {@code snapshot ID INDEX}: the node's state machine snapshots at INDEX (which it must have applied)
 * and its log is compacted through INDEX, as the runtime does after a snapshot with no trailing window.
 */
final class SnapshotHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        args.done(2);
        long id = args.id(0);
        long index = args.id(1);
        TestNode n = env.upNode(id);
        if (index > n.raft.log().applied()) {
            throw new ScriptException(
                    "node " + id + " has applied only " + n.raft.log().applied());
        }
        SnapshotMeta meta = SnapshotMeta.newBuilder()
                .setIndex(index)
                .setTerm(n.raft.log().term(index))
                .setMembership(n.raft.membership())
                .build();
        env.snapshots.put(id, meta);
        n.storage.compact(index);
        env.println(id + ": snapshot " + meta.getTerm() + "/" + index + ", log compacted through " + index);
    }
}
