package io.raftmanager.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.proto.RaftMessage;
import java.util.List;

/**
 * Splits the inbound byte stream into {@link Frames frames} and parses each into a {@link RaftMessage}.
 *
 * <p>The length prefix is checked before any byte of the body is buffered, so a peer cannot make this
 * side allocate more than {@code maxFrameBytes} (plus one socket read). Any framing or parsing problem is
 * reported as an {@link InvalidMessageException} with reason {@code MALFORMED} (wrapped by Netty in a
 * {@link io.netty.handler.codec.DecoderException}); after the first one the decoder discards everything
 * else it receives, because the stream can no longer be trusted to be aligned on frames.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Frames.LENGTH_BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > maxFrameBytes) {
            throw fail(
                    "frame length " + Integer.toUnsignedString(length) + " exceeds the maximum " + maxFrameBytes, in);
        }
        if (in.readableBytes() < Frames.LENGTH_BYTES + length) {
            return;
        }
        in.skipBytes(Frames.LENGTH_BYTES);
        RaftMessage message;
        try {
            // parseFrom(ByteBuffer) copies bytes fields, so the message does not alias the buffer.
            message = RaftMessage.parseFrom(in.nioBuffer(in.readerIndex(), length));
        } catch (Exception e) {
            throw fail("unparseable frame of " + length + " bytes: " + e.getMessage(), in);
        }
        in.skipBytes(length);
        out.add(message);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!failed && in.isReadable()) {
            // Complete frames still decode; a remainder is a frame cut short by the closing peer.
            decode(ctx, in, out);
            if (!failed && in.isReadable()) {
                throw fail("connection closed inside a frame (" + in.readableBytes() + " bytes pending)", in);
            }
        }
    }

    private InvalidMessageException fail(String detail, ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new InvalidMessageException(Reason.MALFORMED, detail);
    }
}
