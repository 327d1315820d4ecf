package io.raftmanager.transport.netty;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.proto.RaftMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random byte streams, cut into random reads, fed to the decoder: it either yields messages or fails with
 * the typed decode error, never anything else, and never buffers more than the maximum frame.
 */
class FrameDecoderPropertyTest {
    private static final int MAX = 1024;

    @Test
    void onlyTheTypedDecodeErrorEverComesOut() {
        qt().withExamples(300)
                .forAll(
                        lists().of(integers().between(-128, 127)).ofSizeBetween(0, 3000),
                        integers().between(1, 64),
                        integers().between(0, 3))
                .checkAssert((bytes, chunk, prefixMode) -> feed(bytes, chunk, prefixMode));
    }

    private static void feed(List<Integer> ints, int chunk, int prefixMode) {
        byte[] bytes = new byte[ints.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (int) ints.get(i);
        }
        // Mode 1..3: start with a plausible length prefix so that the body parser, not only the
        // length check, sees the random bytes.
        if (prefixMode > 0 && bytes.length >= 4) {
            int len = Math.min(bytes.length - 4, MAX) / prefixMode;
            bytes[0] = (byte) (len >>> 24);
            bytes[1] = (byte) (len >>> 16);
            bytes[2] = (byte) (len >>> 8);
            bytes[3] = (byte) len;
        }
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));
        try {
            for (int off = 0; off < bytes.length; off += chunk) {
                int n = Math.min(chunk, bytes.length - off);
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, off, n));
                for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                    if (!(o instanceof RaftMessage)) {
                        throw new AssertionError("decoded a " + o.getClass());
                    }
                }
            }
            ch.finish();
        } catch (DecoderException e) {
            if (!(e.getCause() instanceof InvalidMessageException)) {
                throw new AssertionError("untyped decode error", e);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
