package io.raftmanager.core;

import io.raftmanager.InvalidMessageException;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.RaftConfig;
import io.raftmanager.proto.AppendEntriesRequest;
import io.raftmanager.proto.AppendEntriesResponse;
import io.raftmanager.proto.ConfigurationAt;
import io.raftmanager.proto.Entry;
import io.raftmanager.proto.EntryType;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.RaftMessage;

/**
 * The gateway check for messages from the network (style: validate at the edge, trust inside). Every
 * rule here depends only on the message and the configuration, never on the core's mutable state, so
 * a refused message cannot have changed anything.
 */
final class MessageValidator {
    static final int CURRENT_VERSION = FormatVersion.FORMAT_VERSION_1_VALUE;

    private MessageValidator() {}

    static void validate(RaftMessage m, RaftConfig config) {
        if (m == null) {
            throw new InvalidMessageException(Reason.MALFORMED, "null message");
        }
        if (Integer.compareUnsigned(m.getFormatVersion(), CURRENT_VERSION) > 0) {
            throw new InvalidMessageException(
                    Reason.UNSUPPORTED_VERSION,
                    "format version " + m.getFormatVersion() + " > supported " + CURRENT_VERSION);
        }
        if (m.getFormatVersion() == 0) {
            throw new InvalidMessageException(Reason.MALFORMED, "missing format version");
        }
        if (!config.clusterId().equals(m.getClusterId())) {
            throw new InvalidMessageException(
                    Reason.WRONG_CLUSTER, "cluster '" + m.getClusterId() + "' is not '" + config.clusterId() + "'");
        }
        if (m.getGroupId() != config.groupId()) {
            throw new InvalidMessageException(
                    Reason.WRONG_GROUP, "group " + m.getGroupId() + " is not " + config.groupId());
        }
        if (m.getTo() != config.nodeId()) {
            throw new InvalidMessageException(
                    Reason.WRONG_RECIPIENT, "addressed to " + m.getTo() + ", this is " + config.nodeId());
        }
        if (m.getFrom() == config.nodeId() || m.getFrom() == 0) {
            throw new InvalidMessageException(Reason.WRONG_RECIPIENT, "invalid sender " + m.getFrom());
        }
        nonNegative("term", m.getTerm());
        switch (m.getBodyCase()) {
            case BODY_NOT_SET -> throw malformed("no body");
            case VOTE_REQUEST -> {
                positiveTerm(m);
                nonNegative("last_log_index", m.getVoteRequest().getLastLogIndex());
                nonNegative("last_log_term", m.getVoteRequest().getLastLogTerm());
                nonNegative("commit", m.getVoteRequest().getCommit());
                nonNegative("commit_term", m.getVoteRequest().getCommitTerm());
                if (m.getVoteRequest().getLastLogTerm() > m.getTerm()) {
                    throw malformed("last_log_term " + m.getVoteRequest().getLastLogTerm() + " > term " + m.getTerm());
                }
            }
            case VOTE_RESPONSE -> {
                nonNegative("commit", m.getVoteResponse().getCommit());
                nonNegative("commit_term", m.getVoteResponse().getCommitTerm());
            }
            case RECOVERY_PROBE ->
                nonNegative("last_index", m.getRecoveryProbe().getLastIndex());
            case RECOVERY_PROBE_RESPONSE -> {
                for (ConfigurationAt c : m.getRecoveryProbeResponse().getConfigurationsList()) {
                    nonNegative("configuration index", c.getIndex());
                }
            }
            case APPEND_REQUEST -> validateAppend(m);
            case APPEND_RESPONSE -> {
                AppendEntriesResponse r = m.getAppendResponse();
                nonNegative("match_index", r.getMatchIndex());
                nonNegative("rejected_index", r.getRejectedIndex());
                nonNegative("reject_hint_index", r.getRejectHintIndex());
                nonNegative("reject_hint_term", r.getRejectHintTerm());
            }
            case HEARTBEAT_REQUEST -> {
                positiveTerm(m);
                nonNegative("commit", m.getHeartbeatRequest().getCommit());
            }
            case TIMEOUT_NOW -> positiveTerm(m);
            default -> {}
        }
    }

    private static void validateAppend(RaftMessage m) {
        positiveTerm(m);
        AppendEntriesRequest a = m.getAppendRequest();
        nonNegative("prev_log_index", a.getPrevLogIndex());
        nonNegative("prev_log_term", a.getPrevLogTerm());
        nonNegative("leader_commit", a.getLeaderCommit());
        if (a.getPrevLogTerm() > m.getTerm()) {
            throw malformed("prev_log_term " + a.getPrevLogTerm() + " > term " + m.getTerm());
        }
        long expectIndex = a.getPrevLogIndex() + 1;
        long minTerm = a.getPrevLogTerm();
        for (Entry e : a.getEntriesList()) {
            if (e.getIndex() != expectIndex || e.getIndex() < 1) {
                throw malformed("entry index " + e.getIndex() + " where " + expectIndex + " was expected");
            }
            if (e.getTerm() < minTerm || e.getTerm() > m.getTerm() || e.getTerm() < 1) {
                throw malformed("entry " + e.getIndex() + " has term " + e.getTerm() + " outside [" + minTerm + ", "
                        + m.getTerm() + "]");
            }
            if (e.getType() == EntryType.ENTRY_TYPE_UNSPECIFIED || e.getType() == EntryType.UNRECOGNIZED) {
                throw malformed("entry " + e.getIndex() + " has no type");
            }
            minTerm = e.getTerm();
            expectIndex++;
        }
    }

    private static void positiveTerm(RaftMessage m) {
        if (m.getTerm() < 1) {
            throw malformed(m.getBodyCase() + " with term " + m.getTerm());
        }
    }

    private static void nonNegative(String field, long value) {
        if (value < 0) {
            throw malformed(field + " overflows: " + Long.toUnsignedString(value));
        }
    }

    private static InvalidMessageException malformed(String detail) {
        return new InvalidMessageException(Reason.MALFORMED, detail);
    }
}
