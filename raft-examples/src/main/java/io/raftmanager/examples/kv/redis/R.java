package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.ReplyList;
import java.util.List;

/** Builds {@link Reply} values, with Redis' standard errors. */
public final class R {
    public static final Reply OK = status("OK");
    public static final Reply NIL = Reply.newBuilder().setNil(true).build();
    public static final Reply NULL_ARRAY = Reply.newBuilder().setNullArray(true).build();
    public static final Reply ZERO = integer(0);
    public static final Reply ONE = integer(1);
    public static final Reply EMPTY_ARRAY = array(List.of());
    public static final Reply WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static final Reply SYNTAX = error("ERR syntax error");
    public static final Reply NOT_INTEGER = error("ERR value is not an integer or out of range");
    public static final Reply NOT_FLOAT = error("ERR value is not a valid float");
    public static final Reply NO_SUCH_KEY = error("ERR no such key");
    public static final Reply DB_RANGE = error("ERR DB index is out of range");

    private R() {}

    public static Reply status(String s) {
        return Reply.newBuilder().setStatus(s).build();
    }

    public static Reply error(String s) {
        return Reply.newBuilder().setError(s).build();
    }

    public static Reply integer(long v) {
        return Reply.newBuilder().setInteger(v).build();
    }

    public static Reply bool(boolean b) {
        return b ? ONE : ZERO;
    }

    public static Reply bulk(ByteString b) {
        return b == null ? NIL : Reply.newBuilder().setBulk(b).build();
    }

    public static Reply bulk(String s) {
        return bulk(ByteString.copyFromUtf8(s));
    }

    public static Reply dbl(double d) {
        return Reply.newBuilder().setDouble(d).build();
    }

    public static Reply array(List<Reply> items) {
        return Reply.newBuilder()
                .setArray(ReplyList.newBuilder().addAllItems(items))
                .build();
    }

    /** {@code keysAndValues} alternates keys and values. */
    public static Reply map(List<Reply> keysAndValues) {
        return Reply.newBuilder()
                .setMap(ReplyList.newBuilder().addAllItems(keysAndValues))
                .build();
    }

    public static Reply set(List<Reply> items) {
        return Reply.newBuilder()
                .setSet(ReplyList.newBuilder().addAllItems(items))
                .build();
    }

    public static Reply bulks(List<ByteString> items) {
        ReplyList.Builder l = ReplyList.newBuilder();
        for (ByteString b : items) {
            l.addItems(bulk(b));
        }
        return Reply.newBuilder().setArray(l).build();
    }

    public static Reply wrongArity(String name) {
        return error("ERR wrong number of arguments for '" + name + "' command");
    }

    public static boolean isError(Reply r) {
        return r.getRCase() == Reply.RCase.ERROR;
    }
}
