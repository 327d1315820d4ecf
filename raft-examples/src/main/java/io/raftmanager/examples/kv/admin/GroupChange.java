package io.raftmanager.examples.kv.admin;

import io.raftmanager.Membership;
import io.raftmanager.MembershipChange;
import io.raftmanager.MembershipChangeException;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.Shard;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One group's part of a membership change, run on that group's leader and idempotent: a group where the
 * server already has the wanted role answers 200 without proposing anything, so a repeated request only
 * finishes what is left. Adding a voter goes through a learner (the library refuses to make a server that
 * acknowledged nothing a voter); while the learner catches up the answer is 503 (retry), and the retry
 * promotes it. {@code NO_LIVE_QUORUM} is a retry here too: an idle group's leader, woken from quiescence by
 * the change, counts its followers as live only once they have answered again.
 */
final class GroupChange {
    /** The role a change leaves the server with in the group. */
    enum Target {
        LEARNER,
        VOTER,
        REMOVED;

        /** {@code "learner"} or {@code "voter"} (a request's {@code role}). */
        static Target ofRole(Object role) {
            if ("learner".equals(role)) {
                return LEARNER;
            }
            if ("voter".equals(role)) {
                return VOTER;
            }
            throw new IllegalArgumentException("\"role\" must be \"learner\" or \"voter\", was " + role);
        }

        String role() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final KvNode node;
    private final Shard shard;
    private final long id;
    private final long timeoutMillis;
    /** One deadline for the step's proposals together (a relayed step must answer within its HTTP timeout). */
    private final long deadlineNanos;

    private GroupChange(KvNode node, Shard shard, long id, long timeoutMillis) {
        this.node = node;
        this.shard = shard;
        this.id = id;
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * Brings server {@code id} to {@code target} in {@code shard}'s group, which this node must lead. {@code
     * address} (the server's Raft address) is needed only where the server is not a member yet; it is logged
     * in the group before the configuration names the server, so that every node applying the change can
     * reach it. Never fails: the future completes with the HTTP answer.
     */
    static CompletableFuture<MembershipAdmin.Reply> apply(
            KvNode node, Shard shard, long id, Target target, InetSocketAddress address, long timeoutMillis) {
        return new GroupChange(node, shard, id, timeoutMillis).run(target, address);
    }

    private CompletableFuture<MembershipAdmin.Reply> run(Target target, InetSocketAddress address) {
        if (!shard.isLeader()) {
            long leader = shard.leader();
            return done(MembershipAdmin.Reply.error(
                    503,
                    "node " + node.config().id() + " does not lead group " + shard.index()
                            + (leader == 0 ? " (no leader known)" : " (node " + leader + " does)") + "; retry"));
        }
        Membership m = shard.membership();
        boolean voter = m.isVoter(id);
        boolean learner = MembershipAdmin.isLearner(m, id);
        switch (target) {
            case REMOVED:
                return voter || learner ? change(MembershipChange.remove(id), "removed") : done(ok("not a member", m));
            case LEARNER:
                if (learner) {
                    return done(ok("already a learner", m));
                }
                if (voter) {
                    return change(MembershipChange.addLearner(id), "demoted to learner");
                }
                return addLearner(address, "added as learner");
            case VOTER:
                if (voter) {
                    return done(ok("already a voter", m));
                }
                if (learner) {
                    return promote("promoted");
                }
                return addLearner(address, "added as learner")
                        .thenCompose(r -> r.status() == 200 ? promote("added and promoted") : done(r));
            default:
                throw new IllegalStateException(target.toString());
        }
    }

    /** Logs the new server's address in this group, then adds it as a learner. */
    private CompletableFuture<MembershipAdmin.Reply> addLearner(InetSocketAddress address, String what) {
        if (address == null) {
            return done(MembershipAdmin.Reply.error(
                    400,
                    "node " + id + " is not a member of group " + shard.index()
                            + ": \"address\" (its Raft host:port) is required"));
        }
        CompletableFuture<?> recorded =
                KvNode.hostPort(address).equals(shard.stateMachine().memberAddress(id))
                        ? CompletableFuture.completedFuture(null) // logged here by an earlier attempt
                        : node.recordMember(shard, id, address);
        return bounded(recorded).thenCompose(r -> r != null ? done(r) : change(MembershipChange.addLearner(id), what));
    }

    private CompletableFuture<MembershipAdmin.Reply> promote(String what) {
        return change(MembershipChange.promote(id), what).thenApply(r -> {
            if (r.status() == 503 && String.valueOf(r.body().get("error")).contains("LEARNER_LAGGING")) {
                return MembershipAdmin.Reply.error(
                        503, "node " + id + " is a learner of group " + shard.index() + ", still catching up; retry");
            }
            return r;
        });
    }

    private CompletableFuture<MembershipAdmin.Reply> change(MembershipChange change, String what) {
        CompletableFuture<Membership> f = shard.raft().changeMembership(change);
        return bounded(f).thenApply(r -> r != null ? r : ok(what, f.join()));
    }

    /** Completes with null once {@code f} succeeds, else with the error reply its failure maps to. */
    private CompletableFuture<MembershipAdmin.Reply> bounded(CompletableFuture<?> f) {
        long left = Math.max(1, deadlineNanos - System.nanoTime());
        // A copy: timing out must not complete the library's own future.
        return f.copy().orTimeout(left, TimeUnit.NANOSECONDS).handle((v, e) -> {
            if (e == null) {
                return null;
            }
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (t instanceof TimeoutException) {
                return MembershipAdmin.Reply.error(
                        504, "no outcome within " + timeoutMillis + " ms; the change may still take effect");
            }
            if (t instanceof MembershipChangeException mce
                    && mce.reason() == MembershipChangeException.Reason.NO_LIVE_QUORUM) {
                // A group woken from quiescence hears from its followers again within a heartbeat round;
                // until then its leader does not count them as live. Retried until the caller's deadline.
                return MembershipAdmin.Reply.error(503, t.getMessage() + " (retry)");
            }
            return MembershipAdmin.failure(t);
        });
    }

    private MembershipAdmin.Reply ok(String what, Membership m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", shard.index());
        body.put("id", id);
        body.put("result", what);
        body.put("leader", node.config().id());
        body.put("voters", List.copyOf(m.voters()));
        body.put("learners", List.copyOf(m.learners()));
        return new MembershipAdmin.Reply(200, body);
    }

    private static CompletableFuture<MembershipAdmin.Reply> done(MembershipAdmin.Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
