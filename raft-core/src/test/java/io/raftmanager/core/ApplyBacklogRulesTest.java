package io.raftmanager.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.Role;
import io.raftmanager.proto.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The apply backlog is bounded: committed entries are handed out for applying only while those handed out
 * and not yet reported applied hold less than four batches' worth of bytes, so a slow state machine (or a
 * long replay at start-up) cannot fill the heap; reporting progress lets more out.
 */
class ApplyBacklogRulesTest {
    private static final int BATCH = 1000;

    @Test
    void entriesWaitWhileTheBacklogIsFullAndFlowOnceApplied() {
        TestNode n = TestNode.create(1, b -> b.maxApplyBytes(BATCH), 1);
        n.raft.campaign();
        drain(n, new ArrayList<>(), true);
        assertEquals(Role.LEADER, n.raft.role());
        for (int i = 0; i < 100; i++) {
            n.raft.propose(ByteString.copyFrom(new byte[200]));
        }
        List<Entry> handedOut = new ArrayList<>();
        drain(n, handedOut, false); // the state machine applies nothing
        long bytes = handedOut.stream().mapToLong(e -> e.getData().size()).sum();
        assertTrue(bytes >= Raft.APPLY_BACKLOG_BATCHES * BATCH - 200, "handed out up to the bound: " + bytes);
        assertTrue(bytes < Raft.APPLY_BACKLOG_BATCHES * BATCH + BATCH, "but no more: " + bytes);
        assertTrue(
                n.raft.log().committed() > handedOut.get(handedOut.size() - 1).getIndex(), "the rest waits");

        n.raft.applied(handedOut.get(handedOut.size() - 1).getIndex());
        drain(n, handedOut, true);
        assertEquals(
                n.raft.log().committed(), handedOut.get(handedOut.size() - 1).getIndex(), "all flowed");
    }

    /** Persists every Ready; reports applied only if {@code apply}. */
    private static void drain(TestNode n, List<Entry> handedOut, boolean apply) {
        while (n.raft.hasReady()) {
            Ready rd = n.raft.ready();
            if (rd.hasPersistWork()) {
                n.storage.write(rd.toLogBatch());
            }
            n.raft.persisted(rd.number());
            handedOut.addAll(rd.entriesToApply());
            if (apply && !rd.entriesToApply().isEmpty()) {
                n.raft.applied(
                        rd.entriesToApply().get(rd.entriesToApply().size() - 1).getIndex());
            }
        }
    }
}
