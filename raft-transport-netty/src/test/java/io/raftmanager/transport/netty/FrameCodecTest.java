package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.proto.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The frame codec on an {@link EmbeddedChannel}: partial, coalesced, oversize and broken frames. */
class FrameCodecTest {
    private static final int MAX = 4096;
    private final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private static ByteBuf encode(RaftMessage m) {
        return Frames.encode(ByteBufAllocator.DEFAULT, m);
    }

    private static InvalidMessageException decodeError(Runnable r) {
        DecoderException e = assertThrows(DecoderException.class, r::run);
        return assertInstanceOf(InvalidMessageException.class, e.getCause());
    }

    @Test
    void everyKindRoundTripsThroughEncodeAndDecode() {
        for (RaftMessage m : Msgs.everyKind(1, 2).values()) {
            ch.writeInbound(encode(m));
            assertEquals(m, ch.readInbound());
        }
    }

    @Test
    void aFrameSplitIntoSingleBytesDecodesOnceComplete() {
        RaftMessage m = Msgs.append(1, 2, 4, 10);
        ByteBuf whole = encode(m);
        try {
            while (whole.readableBytes() > 1) {
                ch.writeInbound(whole.readRetainedSlice(1));
                assertNull(ch.readInbound(), "no message before the last byte");
            }
            ch.writeInbound(whole.readRetainedSlice(1));
            assertEquals(m, ch.readInbound());
        } finally {
            whole.release();
        }
    }

    @Test
    void coalescedFramesDecodeInOrder() {
        List<RaftMessage> sent = new ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        for (int i = 0; i < 50; i++) {
            RaftMessage m = Msgs.heartbeat(1, 2, i);
            sent.add(m);
            ByteBuf f = encode(m);
            all.writeBytes(f);
            f.release();
        }
        // Cut the stream at an odd place so one frame straddles two reads.
        ch.writeInbound(all.readRetainedSlice(all.readableBytes() / 2 + 1));
        ch.writeInbound(all);
        for (RaftMessage m : sent) {
            assertEquals(m, ch.readInbound());
        }
        assertNull(ch.readInbound());
    }

    @Test
    void anOversizeLengthIsRefusedBeforeItsBodyArrives() {
        ByteBuf header = Unpooled.buffer(4).writeInt(MAX + 1);
        InvalidMessageException e = decodeError(() -> ch.writeInbound(header));
        assertEquals(InvalidMessageException.Reason.MALFORMED, e.reason());
        // Everything after the failure is discarded, even a valid frame.
        ch.writeInbound(encode(Msgs.heartbeat(1, 2, 1)));
        assertNull(ch.readInbound());
    }

    @Test
    void aFrameOfExactlyTheMaximumIsAccepted() {
        RaftMessage big = Msgs.snapshotChunk(1, 2, 0, 1);
        int overhead = big.getSerializedSize() - 1;
        RaftMessage exact = Msgs.snapshotChunk(1, 2, 0, MAX - overhead - 2);
        // The data field's length varint grows by one byte past 127; adjust to hit MAX exactly.
        int adjust = MAX - exact.getSerializedSize();
        exact = Msgs.snapshotChunk(1, 2, 0, MAX - overhead - 2 + adjust);
        assertEquals(MAX, exact.getSerializedSize());
        ch.writeInbound(encode(exact));
        assertEquals(exact, ch.readInbound());
    }

    @Test
    void unparseableBytesAreATypedError() {
        ByteBuf bad =
                Unpooled.buffer().writeInt(3).writeByte(0xff).writeByte(0xff).writeByte(0xff);
        decodeError(() -> ch.writeInbound(bad));
    }

    @Test
    void aStreamEndingInsideAFrameIsATypedError() {
        ByteBuf f = encode(Msgs.heartbeat(1, 2, 1));
        ch.writeInbound(f.readRetainedSlice(f.readableBytes() - 1));
        f.release();
        assertNull(ch.readInbound());
        InvalidMessageException e = decodeError(ch::finish);
        assertEquals(InvalidMessageException.Reason.MALFORMED, e.reason());
        assertFalse(ch.isOpen());
    }
}
