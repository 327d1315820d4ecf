package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Checks that the Netty framing used by the transport is on the class path and round-trips a frame. */
class NettyFramingSmokeTest {

    @Test
    void lengthPrefixedFrameRoundTrips() {
        byte[] payload = "append-entries".getBytes(StandardCharsets.UTF_8);

        EmbeddedChannel encoder = new EmbeddedChannel(new LengthFieldPrepender(4));
        assertTrue(encoder.writeOutbound(Unpooled.wrappedBuffer(payload)));
        // The prepender emits the length header and the payload as separate buffers.
        ByteBuf framed = Unpooled.buffer();
        for (ByteBuf part = encoder.readOutbound(); part != null; part = encoder.readOutbound()) {
            framed.writeBytes(part);
            part.release();
        }
        assertEquals(4 + payload.length, framed.readableBytes());

        EmbeddedChannel decoder = new EmbeddedChannel(new LengthFieldBasedFrameDecoder(1 << 24, 0, 4, 0, 4));
        assertTrue(decoder.writeInbound(framed));
        ByteBuf frame = decoder.readInbound();
        try {
            assertArrayEquals(payload, ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
            encoder.finishAndReleaseAll();
            decoder.finishAndReleaseAll();
        }
    }
}
