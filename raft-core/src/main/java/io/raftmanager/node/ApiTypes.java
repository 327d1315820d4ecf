package io.raftmanager.node;

import io.raftmanager.Membership;
import io.raftmanager.MembershipChange;
import io.raftmanager.PeerChange;
import io.raftmanager.SnapshotInfo;
import io.raftmanager.proto.MembershipTransition;
import io.raftmanager.proto.PeerChangeType;
import io.raftmanager.proto.SnapshotMeta;
import java.util.TreeSet;

/**
 * Converts between the public value types and the wire (protobuf) types the core and storage use. Internal:
 * public only for the storage adapters and the examples in other packages.
 */
public final class ApiTypes {
    private ApiTypes() {}

    /** The public view of a wire configuration. */
    public static Membership membership(io.raftmanager.proto.Membership m) {
        return new Membership(
                new TreeSet<>(m.getVotersList()),
                new TreeSet<>(m.getLearnersList()),
                new TreeSet<>(m.getVotersOutgoingList()),
                new TreeSet<>(m.getLearnersNextList()));
    }

    /** The wire form of a configuration with no tombstones and no automatic leave (for bootstrapping storage). */
    public static io.raftmanager.proto.Membership toProto(Membership m) {
        return io.raftmanager.proto.Membership.newBuilder()
                .addAllVoters(m.voters())
                .addAllLearners(m.learners())
                .addAllVotersOutgoing(m.outgoingVoters())
                .addAllLearnersNext(m.learnersOnLeave())
                .build();
    }

    /** The public view of a snapshot's metadata. */
    public static SnapshotInfo snapshot(SnapshotMeta meta) {
        return new SnapshotInfo(meta.getIndex(), meta.getTerm(), membership(meta.getMembership()), meta.getSizeBytes());
    }

    /** The wire form of a requested change. */
    public static io.raftmanager.proto.MembershipChange toProto(MembershipChange change) {
        io.raftmanager.proto.MembershipChange.Builder b = io.raftmanager.proto.MembershipChange.newBuilder()
                .setTransition(
                        switch (change.transition()) {
                            case AUTO -> MembershipTransition.MEMBERSHIP_TRANSITION_AUTO;
                            case JOINT_AUTO_LEAVE -> MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_IMPLICIT;
                            case JOINT_EXPLICIT_LEAVE -> MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_EXPLICIT;
                        });
        for (PeerChange c : change.changes()) {
            b.addChangesBuilder()
                    .setPeer(c.peer())
                    .setType(
                            switch (c.type()) {
                                case ADD_VOTER -> PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER;
                                case ADD_LEARNER -> PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER;
                                case REMOVE -> PeerChangeType.PEER_CHANGE_TYPE_REMOVE;
                            });
        }
        return b.build();
    }
}
