package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.raftmanager.OperationTimeoutException;
import io.raftmanager.RaftNode;
import io.raftmanager.ReadConsistency;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RaftNodeReadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static String read(RaftNode n, ReadConsistency c) {
        return n.read(ByteString.EMPTY, c)
                .orTimeout(30, TimeUnit.SECONDS)
                .join()
                .toStringUtf8();
    }

    @Test
    void everyConsistencyOnEveryNodeSeesAWriteCompletedBeforeTheRead() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("5"), TIMEOUT);
            String value =
                    c.proposeAtLeader(ByteString.copyFromUtf8("7"), TIMEOUT).toStringUtf8();
            assertEquals("12", value);
            for (RaftNode n : c.nodes.values()) {
                // Retried because leadership may move on a loaded machine; a read is safe to retry.
                LocalCluster.await(
                        () -> {
                            try {
                                return read(n, ReadConsistency.LINEARIZABLE).equals("12")
                                        && read(n, ReadConsistency.FOLLOWER).equals("12");
                            } catch (CompletionException e) {
                                return false;
                            }
                        },
                        TIMEOUT,
                        "linearizable reads to see 12");
            }
            RaftNode leader = c.awaitLeader(TIMEOUT);
            LocalCluster.await(
                    () -> {
                        try {
                            return read(leader, ReadConsistency.LEASE).equals("12");
                        } catch (CompletionException e) {
                            return false;
                        }
                    },
                    TIMEOUT,
                    "a lease read at the leader");
        }
    }

    @Test
    void readOnAnIsolatedNodeTimesOutInsteadOfAnsweringStale() {
        try (LocalCluster c = new LocalCluster(3)) {
            c.proposeAtLeader(ByteString.copyFromUtf8("1"), TIMEOUT);
            RaftNode leader = c.awaitLeader(TIMEOUT);
            long id = leader.status().join().id();
            c.network.isolate(id);
            CompletionException e = assertThrows(
                    CompletionException.class,
                    () -> leader.read(ByteString.EMPTY, ReadConsistency.LINEARIZABLE)
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join());
            // Either it times out waiting for a quorum, or it already stepped down (CheckQuorum) and says so.
            Throwable cause = e.getCause();
            if (!(cause instanceof io.raftmanager.NotLeaderException)) {
                assertInstanceOf(OperationTimeoutException.class, cause);
            }
        }
    }
}
