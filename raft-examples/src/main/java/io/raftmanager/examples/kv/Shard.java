package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftListener;
import io.raftmanager.RaftNode;
import io.raftmanager.Role;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.proto.Membership;
import java.util.concurrent.CompletableFuture;

/**
 * One Raft group of a KV node: this node's replica of it, its state machine (the keys that hash to it)
 * and what this node last heard of its leader. A node sharded over N groups holds N of these.
 */
public final class Shard {
    private final int index;
    private final KvStateMachine stateMachine;
    private final long maxCommandBytes;
    private final Listener onLeader;
    private volatile RaftNode raft;
    private volatile Role role = Role.FOLLOWER;
    private volatile long term;
    private volatile long leader;
    private volatile Membership membership;

    /** Told when this node becomes a group's leader (to announce its addresses in that group). */
    interface Listener {
        void becameLeader(Shard shard, long term);
    }

    Shard(int index, KvStateMachine stateMachine, long maxCommandBytes, Membership initial, Listener onLeader) {
        this.index = index;
        this.stateMachine = stateMachine;
        this.maxCommandBytes = maxCommandBytes;
        this.membership = initial;
        this.onLeader = onLeader;
    }

    /** Attaches the group's replica (once, before it starts electing) and follows its role changes. */
    void attach(RaftNode node) {
        this.raft = node;
        node.addListener(new RaftListener() {
            @Override
            public void onRoleChange(Role r, long t, long l) {
                boolean became = r == Role.LEADER && role != Role.LEADER;
                role = r;
                term = t;
                leader = l;
                if (became) {
                    onLeader.becameLeader(Shard.this, t);
                }
            }

            @Override
            public void onMembershipChange(Membership m) {
                membership = m;
            }
        });
    }

    /** The group id (0-based; the keys of {@link KeySlots#groupOf} this value). */
    public int index() {
        return index;
    }

    public RaftNode raft() {
        return raft;
    }

    public KvStateMachine stateMachine() {
        return stateMachine;
    }

    /** Proposes a command in this group (this node must lead it); completes with the state machine's result. */
    public CompletableFuture<ByteString> propose(KvCommand command) {
        ByteString bytes = command.toByteString();
        if (bytes.size() > maxCommandBytes) {
            return CompletableFuture.failedFuture(new CommandTooLargeException(bytes.size(), maxCommandBytes));
        }
        return raft.propose(bytes);
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The group's leader as this node knows it, 0 if none. */
    public long leader() {
        return leader;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    /** The group's configuration in effect on this node. */
    public Membership membership() {
        return membership;
    }
}
