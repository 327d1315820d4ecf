package io.raftmanager.transport.netty;

import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An {@link InboundHandler} that records what it is given, for tests to poll. */
final class RecordingHandler implements InboundHandler {
    /** One onUnreachable call. */
    record Unreachable(long groupId, long peer) {}

    final BlockingQueue<RaftMessage> messages = new LinkedBlockingQueue<>();
    final List<Unreachable> unreachable = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(RaftMessage message) {
        messages.add(message);
    }

    @Override
    public void onUnreachable(long groupId, long peer) {
        unreachable.add(new Unreachable(groupId, peer));
    }

    /** The next message, waiting up to {@code seconds}; fails the test if none comes. */
    RaftMessage next(long seconds) throws InterruptedException {
        RaftMessage m = messages.poll(seconds, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + seconds + " s");
        }
        return m;
    }
}
