package io.raftmanager.examples.kv.admin;

import io.raftmanager.ClosedException;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.LeadershipTransferException;
import io.raftmanager.Membership;
import io.raftmanager.MembershipChange;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OperationTimeoutException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.examples.kv.KvNode;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The leader's side of the admin write endpoints with one group: add a learner or voter (promoting a
 * learner), remove a member, transfer leadership (with several groups, {@link ShardedMembership}). Each runs one public {@link io.raftmanager.RaftNode} call and maps its
 * typed failure to an HTTP status. A new server's Raft address is logged first (a {@code Member}
 * record), so that every node's transport can reach it by the time the configuration names it.
 */
final class MembershipAdmin {
    /** An HTTP answer: a status and a JSON body. */
    record Reply(int status, Map<String, Object> body) {
        static Reply error(int status, String message) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("error", message);
            b.put("status", status);
            return new Reply(status, b);
        }
    }

    private final KvNode node;
    private final long timeoutMillis;

    MembershipAdmin(KvNode node) {
        this.node = node;
        this.timeoutMillis = node.config().requestTimeoutMillis();
    }

    /**
     * {@code POST /members} with {@code {"id": N, "address": "host:port", "role": "learner"|"voter"}}: adds a
     * new server, promotes a learner, or demotes a voter to learner. A removed id is refused (409
     * REMOVED_PEER): ids are never reused.
     */
    Reply addMember(Map<String, Object> request) {
        long id = positiveId(request.get("id"));
        Object roleValue = request.getOrDefault("role", "learner");
        if (!"learner".equals(roleValue) && !"voter".equals(roleValue)) {
            throw new IllegalArgumentException("\"role\" must be \"learner\" or \"voter\", was " + roleValue);
        }
        boolean voter = roleValue.equals("voter");
        Membership m = node.membership();
        if (isVoter(m, id) && voter) {
            return Reply.error(409, "node " + id + " is already a voter");
        }
        if (isVoter(m, id)) {
            // A voter asked to be a learner is demoted: it keeps its identity and receives the log.
            return change(id, MembershipChange.addLearner(id), "demoted to learner");
        }
        boolean learner = isLearner(m, id);
        if (learner && !voter) {
            return Reply.error(409, "node " + id + " is already a learner; use role \"voter\" to promote it");
        }
        if (!learner) {
            // A new server: its address must be known everywhere before the configuration names it.
            Object address = request.get("address");
            if (!(address instanceof String)) {
                throw new IllegalArgumentException("\"address\" (the new node's Raft host:port) is required");
            }
            InetSocketAddress raftAddress = KvNode.parseHostPort((String) address);
            Reply failed = await(node.recordMember(id, raftAddress));
            if (failed != null) {
                return failed;
            }
        }
        MembershipChange change = voter ? MembershipChange.promote(id) : MembershipChange.addLearner(id);
        return change(id, change, voter ? (learner ? "promoted" : "added as voter") : "added as learner");
    }

    /** {@code DELETE /members/{id}}. */
    Reply removeMember(long id) {
        Membership m = node.membership();
        if (!isVoter(m, id) && !isLearner(m, id)) {
            return Reply.error(404, "node " + id + " is not a member");
        }
        return change(id, MembershipChange.remove(id), "removed");
    }

    /** {@code POST /leader} with {@code {"id": N}}. */
    Reply transferLeader(Map<String, Object> request) {
        long id = positiveId(request.get("id"));
        if (id == node.config().id() && node.isLeader()) {
            return ok(Map.of("leader", id, "result", "already leads"));
        }
        // The transfer's own deadline bounds it; orTimeout only guards against a future that never ends.
        Reply failed = await(node.raft().transferLeadership(id));
        return failed != null ? failed : ok(Map.of("leader", id, "result", "transferred"));
    }

    private Reply change(long id, MembershipChange change, String what) {
        CompletableFuture<Membership> f = node.raft().changeMembership(change);
        Reply failed = await(f);
        if (failed != null) {
            return failed;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("result", what);
        body.put("voters", List.copyOf(f.join().voters()));
        body.put("learners", List.copyOf(f.join().learners()));
        return ok(body);
    }

    /** Waits for {@code f}; null on success, else the error reply its failure maps to. */
    private Reply await(CompletableFuture<?> f) {
        try {
            f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException | CompletionException e) {
            return failure(e.getCause() == null ? e : e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            return Reply.error(504, "no outcome within " + timeoutMillis + " ms; the change may still take effect");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(503, "interrupted");
        }
    }

    /** Maps the library's typed failures to HTTP statuses: 409 for refused, 503 for retry, 504 unknown. */
    static Reply failure(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof MembershipChangeException e) {
            return switch (e.reason()) {
                case CHANGE_IN_PROGRESS, LEADER_NOT_READY, LEARNER_LAGGING -> Reply.error(503, m + " (retry)");
                default -> Reply.error(409, m);
            };
        }
        if (t instanceof LeadershipTransferException) {
            return Reply.error(409, m);
        }
        if (t instanceof NotLeaderException
                || t instanceof OverloadedException
                || t instanceof ProposalDroppedException
                || t instanceof ClosedException) {
            return Reply.error(503, m + " (retry)");
        }
        if (t instanceof IndeterminateResultException || t instanceof OperationTimeoutException) {
            return Reply.error(504, m);
        }
        return Reply.error(500, m);
    }

    private static Reply ok(Map<String, Object> body) {
        return new Reply(200, body);
    }

    static long positiveId(Object value) {
        if (!(value instanceof Long) || (Long) value <= 0) {
            throw new IllegalArgumentException("\"id\" must be a positive integer, was " + value);
        }
        return (Long) value;
    }

    static boolean isVoter(Membership m, long id) {
        return m.isVoter(id);
    }

    static boolean isLearner(Membership m, long id) {
        return m.learners().contains(id) || m.learnersOnLeave().contains(id);
    }
}
