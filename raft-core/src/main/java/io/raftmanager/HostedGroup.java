package io.raftmanager;

import com.google.protobuf.ByteString;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.SnapshotMeta;
import java.util.concurrent.CompletableFuture;

/**
 * A group as {@link RaftServer#createGroup} hands it out: the group's node, whose {@link #close()} removes
 * the group from the server (so its routing entry cannot outlive it).
 */
final class HostedGroup implements RaftNode {
    private final RaftServer server;
    private final long groupId;
    private final io.raftmanager.node.DefaultRaftNode node;
    private final GroupTransport transport;

    HostedGroup(RaftServer server, long groupId, io.raftmanager.node.DefaultRaftNode node, GroupTransport transport) {
        this.server = server;
        this.groupId = groupId;
        this.node = node;
        this.transport = transport;
    }

    /** The group's runtime on this server. */
    io.raftmanager.node.DefaultRaftNode runtime() {
        return node;
    }

    /** Closes the node and stops routing to it; called by the server once the group left its table. */
    void shutdown() {
        node.close();
        transport.close();
    }

    /** Already started by the server; does nothing. */
    @Override
    public void start() {}

    @Override
    public CompletableFuture<ByteString> propose(ByteString command) {
        return node.propose(command);
    }

    @Override
    public CompletableFuture<ClientSession> registerSession() {
        return node.registerSession().thenApply(s -> ClientSession.resume(this, s.id(), 0));
    }

    @Override
    public CompletableFuture<ByteString> propose(ByteString command, long sessionId, long sequence) {
        return node.propose(command, sessionId, sequence);
    }

    @Override
    public CompletableFuture<ByteString> read(ByteString query, ReadConsistency consistency) {
        return node.read(query, consistency);
    }

    @Override
    public CompletableFuture<Membership> changeMembership(MembershipChange change, boolean force) {
        return node.changeMembership(change, force);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(long peer) {
        return node.transferLeadership(peer);
    }

    @Override
    public CompletableFuture<SnapshotMeta> snapshotNow() {
        return node.snapshotNow();
    }

    @Override
    public CompletableFuture<NodeStatus> status() {
        return node.status();
    }

    @Override
    public void addListener(RaftListener listener) {
        node.addListener(listener);
    }

    @Override
    public void close() {
        server.removeGroup(groupId);
    }
}
