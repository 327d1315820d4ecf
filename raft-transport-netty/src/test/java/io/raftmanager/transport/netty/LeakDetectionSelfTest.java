package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Proves that the leak check is armed: a buffer dropped without release is reported and recorded. */
class LeakDetectionSelfTest {
    @Test
    void aLeakedBufferIsRecorded() {
        leak();
        Await.until("the leak report", Duration.ofSeconds(30), () -> {
            System.gc();
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            return !RecordingLeakDetector.LEAKS.isEmpty();
        });
        assertFalse(RecordingLeakDetector.LEAKS.isEmpty());
        RecordingLeakDetector.LEAKS.clear(); // this leak was on purpose; NoLeaksExtension must not fail here
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(1);
    }
}
