package io.raftmanager.transport.netty;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmanager.proto.RaftMessage;
import java.io.IOException;

/**
 * The wire frame: a 4-byte big-endian length {@code n}, then {@code n} bytes of a serialized {@link
 * RaftMessage}. {@link FrameDecoder} is the reading side.
 */
final class Frames {
    static final int LENGTH_BYTES = 4;

    private Frames() {}

    /** The bytes {@code message} occupies on the wire, prefix included. */
    static long frameBytes(RaftMessage message) {
        return LENGTH_BYTES + (long) message.getSerializedSize();
    }

    /** Encodes one frame into a new buffer from {@code alloc}; the caller owns (and must release) it. */
    static ByteBuf encode(ByteBufAllocator alloc, RaftMessage message) {
        int size = message.getSerializedSize();
        ByteBuf buf = alloc.ioBuffer(LENGTH_BYTES + size);
        try {
            buf.writeInt(size);
            if (buf.nioBufferCount() == 1) {
                CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(LENGTH_BYTES, size));
                message.writeTo(out);
                out.checkNoSpaceLeft();
                buf.writerIndex(LENGTH_BYTES + size);
            } else {
                buf.writeBytes(message.toByteArray());
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalStateException("cannot encode " + message.getBodyCase() + " of " + size + " bytes", e);
        }
    }
}
