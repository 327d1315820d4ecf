package io.raftmanager.core.interaction;

import io.raftmanager.core.TestNode;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.MembershipChange;
import io.raftmanager.proto.MembershipTransition;
import io.raftmanager.proto.PeerChange;
import io.raftmanager.proto.PeerChangeType;

/**
 * {@code propose-conf-change ID CHANGE... [transition=auto|implicit|explicit] [force=true]}: proposes a
 * membership change at the node. Each change is {@code vN} (add voter N), {@code lN} (add learner N) or
 * {@code rN} (remove N); the single word {@code leave} proposes leaving a joint configuration. Prints the
 * new entry's id, or the typed error.
 */
final class ProposeConfChangeHandler implements Handler {
    @Override
    public void handle(InteractionEnv env, Args args) {
        long id = args.id(0);
        String transition = args.wordOption("transition", "auto");
        boolean force = args.boolOption("force", false);
        args.done(Integer.MAX_VALUE);
        MembershipChange.Builder b = MembershipChange.newBuilder()
                .setTransition(
                        switch (transition) {
                            case "auto" -> MembershipTransition.MEMBERSHIP_TRANSITION_AUTO;
                            case "implicit" -> MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_IMPLICIT;
                            case "explicit" -> MembershipTransition.MEMBERSHIP_TRANSITION_JOINT_EXPLICIT;
                            default -> throw new ScriptException("unknown transition " + transition);
                        });
        for (int i = 1; i < args.count(); i++) {
            String w = args.word(i);
            if (w.equals("leave")) {
                continue;
            }
            PeerChangeType type = switch (w.charAt(0)) {
                case 'v' -> PeerChangeType.PEER_CHANGE_TYPE_ADD_VOTER;
                case 'l' -> PeerChangeType.PEER_CHANGE_TYPE_ADD_LEARNER;
                case 'r' -> PeerChangeType.PEER_CHANGE_TYPE_REMOVE;
                default -> throw new ScriptException("bad change '" + w + "'");
            };
            b.addChanges(PeerChange.newBuilder().setType(type).setPeer(Long.parseLong(w.substring(1))));
        }
        TestNode n = env.upNode(id);
        EntryId[] proposed = new EntryId[1];
        env.observe(n, "", () -> proposed[0] = n.raft.proposeMembershipChange(b.build(), force));
        if (proposed[0] != null) {
            env.println(id + ": proposed " + proposed[0].term() + "/" + proposed[0].index());
        }
    }
}
