package io.raftmanager.examples.kv.resp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits between the RESP decoder and the aggregators and refuses, before anything is buffered, a bulk
 * string longer than the configured limit or an array with too many elements. After a refusal it drops
 * everything else the connection sends; {@link RespConnection} answers the error and closes.
 */
final class RespLimits extends ChannelInboundHandlerAdapter {
    static final long MAX_ARRAY_ELEMENTS = 1L << 20;

    private final int maxBulkBytes;
    private boolean refused;

    RespLimits(int maxBulkBytes) {
        this.maxBulkBytes = maxBulkBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof BulkStringHeaderRedisMessage
                && ((BulkStringHeaderRedisMessage) msg).bulkStringLength() > maxBulkBytes) {
            refuse(ctx, msg, "invalid bulk length (limit " + maxBulkBytes + " bytes)");
            return;
        }
        if (msg instanceof ArrayHeaderRedisMessage && ((ArrayHeaderRedisMessage) msg).length() > MAX_ARRAY_ELEMENTS) {
            refuse(ctx, msg, "invalid multibulk length");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, String why) {
        refused = true;
        ReferenceCountUtil.release(msg);
        ctx.fireExceptionCaught(new TooLongFrameException(why));
    }
}
