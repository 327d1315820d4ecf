package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer during or right after it. Netty notices a leak
 * only when the leaked buffer has been garbage collected and another buffer is then allocated, so after
 * the class this collects garbage and allocates a few buffers to make pending reports surface.
 */
public final class NoLeaksExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        assertEquals(
                ResourceLeakDetector.Level.PARANOID,
                ResourceLeakDetector.getLevel(),
                "tests must run with -Dio.netty.leakDetection.level=paranoid (see the pom)");
        RecordingLeakDetector.LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 3 && RecordingLeakDetector.LEAKS.isEmpty(); round++) {
            System.gc();
            Thread.sleep(20); // lets the reference handler enqueue the collected trackers; not a wait for I/O
            List<ByteBuf> probes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                probes.add(PooledByteBufAllocator.DEFAULT.directBuffer(16));
                probes.add(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
                probes.add(UnpooledByteBufAllocator.DEFAULT.directBuffer(16));
                probes.add(UnpooledByteBufAllocator.DEFAULT.heapBuffer(16));
            }
            probes.forEach(ByteBuf::release);
        }
        if (!RecordingLeakDetector.LEAKS.isEmpty()) {
            List<String> leaks = List.copyOf(RecordingLeakDetector.LEAKS);
            RecordingLeakDetector.LEAKS.clear();
            fail(leaks.size() + " Netty buffer leak(s) reported:\n" + String.join("\n\n", leaks));
        }
    }
}
