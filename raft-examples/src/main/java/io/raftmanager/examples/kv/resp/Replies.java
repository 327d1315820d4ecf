package io.raftmanager.examples.kv.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.raftmanager.ClosedException;
import io.raftmanager.IndeterminateResultException;
import io.raftmanager.NotLeaderException;
import io.raftmanager.OperationTimeoutException;
import io.raftmanager.OverloadedException;
import io.raftmanager.ProposalDroppedException;
import io.raftmanager.examples.kv.CommandTooLargeException;
import io.raftmanager.examples.kv.proto.KvResult;
import io.raftmanager.examples.kv.proto.OptionalValue;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns results and failures into RESP replies, following Redis' error conventions. */
public final class Replies {
    public static final RedisMessage OK = new SimpleStringRedisMessage("OK");
    public static final RedisMessage NO_LEADER = error("CLUSTERDOWN no leader");

    private Replies() {}

    public static RedisMessage error(String message) {
        return new ErrorRedisMessage(message);
    }

    public static RedisMessage bulk(byte[] bytes) {
        return new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(bytes));
    }

    public static RedisMessage bulk(String s) {
        return bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    public static RedisMessage wrongArity(String command) {
        return error("ERR wrong number of arguments for '" + command.toLowerCase(java.util.Locale.ROOT) + "' command");
    }

    /** The reply for a state machine result. */
    public static RedisMessage of(KvResult r) {
        switch (r.getRCase()) {
            case STATUS:
                return new SimpleStringRedisMessage(r.getStatus());
            case INTEGER:
                return new IntegerRedisMessage(r.getInteger());
            case BULK:
                return bulk(r.getBulk().toByteArray());
            case NIL:
                return FullBulkStringRedisMessage.NULL_INSTANCE;
            case ARRAY:
                List<RedisMessage> items = new ArrayList<>(r.getArray().getValuesCount());
                for (OptionalValue v : r.getArray().getValuesList()) {
                    items.add(
                            v.getPresent()
                                    ? bulk(v.getValue().toByteArray())
                                    : FullBulkStringRedisMessage.NULL_INSTANCE);
                }
                return new ArrayRedisMessage(items);
            case ERROR:
                return error(r.getError());
            default:
                return error("ERR unexpected result");
        }
    }

    /**
     * The reply for a failure. {@code write} tells whether the request may have changed state: a write
     * whose outcome is unknown gets {@code -TIMEOUT outcome unknown}, never a silent retry.
     */
    public static RedisMessage failure(Throwable t, boolean write) {
        Throwable c = unwrap(t);
        if (c instanceof NotLeaderException) {
            return ((NotLeaderException) c).leaderHint().isPresent()
                    ? error("TRYAGAIN leader changed, retry")
                    : NO_LEADER;
        }
        if (c instanceof OverloadedException) {
            return error("ERR overloaded");
        }
        if (c instanceof ProposalDroppedException) {
            return error("TRYAGAIN " + c.getMessage());
        }
        if (c instanceof IndeterminateResultException
                || c instanceof TimeoutException
                || c instanceof OperationTimeoutException) {
            return write ? error("TIMEOUT outcome unknown") : error("TIMEOUT read timed out");
        }
        if (c instanceof ClosedChannelException) { // the connection to the leader broke mid-request
            return write ? error("TIMEOUT outcome unknown") : error("TRYAGAIN leader connection lost");
        }
        if (c instanceof ConnectException) {
            return error("CLUSTERDOWN leader unreachable");
        }
        if (c instanceof ClosedException) {
            return error("CLUSTERDOWN node is shutting down");
        }
        if (c instanceof CommandTooLargeException || c instanceof UnsupportedOperationException) {
            return error("ERR " + c.getMessage());
        }
        return error("ERR internal error: " + c);
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * A deep copy of {@code m} on the heap, so it can outlive the decoder's buffers and be written to
     * another channel. Does not release {@code m}.
     */
    public static RedisMessage copy(RedisMessage m) {
        if (m instanceof FullBulkStringRedisMessage) {
            FullBulkStringRedisMessage b = (FullBulkStringRedisMessage) m;
            if (b.isNull()) {
                return FullBulkStringRedisMessage.NULL_INSTANCE;
            }
            ByteBuf content = b.content();
            return bulk(ByteBufUtil.getBytes(content));
        }
        if (m instanceof ArrayRedisMessage) {
            ArrayRedisMessage a = (ArrayRedisMessage) m;
            if (a.isNull()) {
                return ArrayRedisMessage.NULL_INSTANCE;
            }
            List<RedisMessage> items = new ArrayList<>(a.children().size());
            for (RedisMessage child : a.children()) {
                items.add(copy(child));
            }
            return new ArrayRedisMessage(items);
        }
        return m; // simple strings, errors and integers hold no buffers
    }
}
