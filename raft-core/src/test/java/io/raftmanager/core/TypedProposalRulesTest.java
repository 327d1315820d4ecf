package io.raftmanager.core;

import static io.raftmanager.core.RuleFixtures.ackAll;
import static io.raftmanager.core.RuleFixtures.elect;
import static io.raftmanager.core.RuleFixtures.ofKind;
import static io.raftmanager.core.RuleFixtures.sentTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.raftmanager.core.log.EntryId;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.proto.RaftMessage.BodyCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Session and digest-marker entries: the core replicates them like commands, with their types, and
 * refuses to let a proposal forge the types it owns (no-ops and configurations).
 */
class TypedProposalRulesTest {
    private static ByteString cmd(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void leaderAppendsAndReplicatesEachEntryWithItsType() {
        TestNode n = ackAll(elect(TestNode.create(1, 1, 2, 3)));
        List<EntryType> types =
                List.of(EntryType.ENTRY_TYPE_NORMAL, EntryType.ENTRY_TYPE_SESSION, EntryType.ENTRY_TYPE_DIGEST_MARKER);
        List<EntryId> ids = n.raft.proposeBatch(List.of(cmd("a"), cmd("b"), ByteString.EMPTY), types);
        assertEquals(List.of(2L, 3L, 4L), ids.stream().map(EntryId::index).toList());
        List<RaftMessage> appends = ofKind(sentTo(n.raft.ready().messages(), 2), BodyCase.APPEND_REQUEST);
        List<Entry> sent = appends.get(0).getAppendRequest().getEntriesList();
        assertEquals(types, sent.stream().map(Entry::getType).toList());
        assertEquals(cmd("b"), sent.get(1).getData());
    }

    @Test
    void aProposalCannotCarryANoOpOrConfigurationType() {
        TestNode n = ackAll(elect(TestNode.create(1, 1, 2, 3)));
        for (EntryType forged : List.of(EntryType.ENTRY_TYPE_NO_OP, EntryType.ENTRY_TYPE_CONFIGURATION)) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> n.raft.proposeBatch(
                            List.of(cmd("ok"), cmd("x")), List.of(EntryType.ENTRY_TYPE_NORMAL, forged)));
        }
        assertEquals(1, n.raft.log().lastIndex(), "nothing was appended, not even the valid entry before it");
    }
}
