package io.raftmanager.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.raftmanager.proto.RaftMessage;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One outbound lane to one peer: a lazily opened TCP (or TLS) connection and a queue bounded by bytes.
 *
 * <p>Threading: {@link #send} and {@link #close} may be called from any thread and never block. Everything
 * else runs on this lane's event loop, which also owns the channel, so the connection state needs no lock.
 *
 * <p>Bounds: {@code send} refuses a message when the queued bytes would exceed {@code limitBytes}; the
 * channel's write-buffer water mark stops draining the queue into Netty when the peer does not read. So
 * one lane holds at most about {@code 1.5 × limitBytes} plus one frame, whatever the peer does.
 *
 * <p>Coalescing: sends between two passes of the event loop schedule one drain task, which writes every
 * queued frame and flushes once.
 */
final class PeerConnection {
    enum Lane {
        /** Everything except snapshot chunks. */
        REGULAR,
        /** {@code install_snapshot_request}: bulk data on its own connection, so heartbeats never wait behind it. */
        SNAPSHOT
    }

    private enum State {
        IDLE,
        CONNECTING,
        CONNECTED,
        CLOSED
    }

    private final NettyTransport transport;
    final long peerId;
    final Lane lane;
    final InetSocketAddress address;
    private final EventLoop loop;
    private final long limitBytes;

    private final Queue<RaftMessage> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Groups told about drops since the lane last made progress; each is told once per episode. */
    private final Set<Long> notifiedGroups = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;
    private volatile boolean backingOff;
    private volatile long backoffUntilNanos;

    // Confined to the event loop.
    private State state = State.IDLE;
    private Channel channel;
    private int failures;

    PeerConnection(
            NettyTransport transport,
            long peerId,
            Lane lane,
            InetSocketAddress address,
            EventLoop loop,
            long limitBytes) {
        this.transport = transport;
        this.peerId = peerId;
        this.lane = lane;
        this.address = address;
        this.loop = loop;
        this.limitBytes = limitBytes;
    }

    /** Queues {@code message} ({@code frameBytes} on the wire) or drops and counts it; never blocks. */
    void send(RaftMessage message, long frameBytes) {
        Counters counters = transport.counters();
        if (closed) {
            counters.droppedUnreachable.increment();
            return;
        }
        if (backingOff && System.nanoTime() - backoffUntilNanos < 0) {
            counters.droppedUnreachable.increment();
            notifyDropped(message.getGroupId());
            return;
        }
        if (queuedBytes.addAndGet(frameBytes) > limitBytes) {
            queuedBytes.addAndGet(-frameBytes);
            counters.droppedBackpressure.increment();
            notifyDropped(message.getGroupId());
            return;
        }
        queue.offer(message);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: the transport is closing and the message is moot.
                drainScheduled.set(false);
            }
        }
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Stops the lane: closes its connection and drops what is queued. Asynchronous; idempotent. */
    void close() {
        closed = true;
        try {
            loop.execute(() -> {
                state = State.CLOSED;
                if (channel != null) {
                    channel.close();
                    channel = null;
                }
                discardQueued(false);
            });
        } catch (RejectedExecutionException e) {
            // The loop already stopped; its channels were closed by the shutdown.
        }
    }

    private void drain() {
        drainScheduled.set(false);
        switch (state) {
            case CLOSED -> discardQueued(false);
            case IDLE -> {
                if (closed) {
                    discardQueued(false);
                } else if (backingOff && System.nanoTime() - backoffUntilNanos < 0) {
                    discardQueued(true);
                } else {
                    backingOff = false;
                    connect();
                }
            }
            case CONNECTING -> {
                // onConnected drains.
            }
            case CONNECTED -> writeQueued();
        }
    }

    private void connect() {
        state = State.CONNECTING;
        ChannelFuture f = transport.connect(loop, address, lane, new OutboundHandler());
        f.addListener(done -> {
            Channel ch = f.channel();
            if (!done.isSuccess()) {
                onConnectFailed(ch, done.cause());
                return;
            }
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null) {
                onConnected(ch);
            } else {
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess() && transport.bindsNodeIds() && PeerIdentity.ofChannel(ch) != peerId) {
                        onWrongIdentity(ch);
                    } else if (h.isSuccess()) {
                        onConnected(ch);
                    } else {
                        onConnectFailed(ch, h.cause());
                    }
                });
            }
        });
    }

    private void onConnected(Channel ch) {
        // A connect to a local port nobody listens on can, rarely, succeed as a TCP self-connection (the kernel
        // picks the destination port as the source port); it would then swallow every message while looking up.
        boolean selfConnected = ch.localAddress() != null && ch.localAddress().equals(ch.remoteAddress());
        if (state == State.CLOSED || !ch.isActive() || selfConnected) {
            ch.close();
            if (state != State.CLOSED) {
                onConnectFailed(ch, null);
            }
            return;
        }
        state = State.CONNECTED;
        channel = ch;
        failures = 0;
        ch.closeFuture().addListener(x -> onDisconnected(ch));
        transport.logInfo(
                "connected:" + peerId + ":" + lane, "connected to peer " + peerId + " (" + lane + ") at " + address);
        writeQueued();
    }

    /** The server proved a certificate for another node than the one dialled: count, log, back off. */
    private void onWrongIdentity(Channel ch) {
        long named = PeerIdentity.ofChannel(ch);
        transport.counters().rejected(io.raftmanager.InvalidMessageException.Reason.WRONG_IDENTITY);
        onConnectFailed(
                ch,
                new javax.net.ssl.SSLPeerUnverifiedException("dialled node " + peerId + " but its certificate "
                        + (named == PeerIdentity.NONE ? "names no node id" : "is for node " + named)));
    }

    private void onConnectFailed(Channel ch, Throwable cause) {
        if (ch != null) {
            ch.close();
        }
        if (state == State.CLOSED) {
            return;
        }
        state = State.IDLE;
        failures++;
        transport.counters().connectFailures.increment();
        long delay = transport.backoff().delayNanos(failures);
        backoffUntilNanos = System.nanoTime() + delay;
        backingOff = true;
        transport.logWarn(
                "connect:" + peerId + ":" + lane,
                "cannot connect to peer " + peerId + " (" + lane + ") at " + address + ": " + cause + "; retry after "
                        + TimeUnit.NANOSECONDS.toMillis(delay) + " ms (failure " + failures + ")");
        discardQueued(true);
    }

    private void onDisconnected(Channel ch) {
        if (channel != ch) {
            return;
        }
        channel = null;
        if (state == State.CLOSED) {
            return;
        }
        state = State.IDLE;
        // The next send reconnects at once; back-off applies only after a failed attempt.
        transport.logInfo(
                "disconnected:" + peerId + ":" + lane,
                "connection to peer " + peerId + " (" + lane + ") at " + address + " closed");
        discardQueued(true);
    }

    private void writeQueued() {
        Channel ch = channel;
        int frames = 0;
        long bytes = 0;
        while (ch.isWritable()) {
            RaftMessage m = queue.poll();
            if (m == null) {
                break;
            }
            bytes += Frames.frameBytes(m);
            ByteBuf buf;
            try {
                buf = Frames.encode(ch.alloc(), m);
            } catch (IllegalStateException e) {
                transport.logWarn("encode", "dropping a message to peer " + peerId + ": " + e);
                continue;
            }
            ch.write(buf, ch.voidPromise());
            frames++;
        }
        queuedBytes.addAndGet(-bytes);
        if (frames > 0) {
            transport.counters().sent.add(frames);
            ch.flush();
            if (!notifiedGroups.isEmpty()) {
                notifiedGroups.clear();
            }
        }
    }

    private void discardQueued(boolean unreachable) {
        long bytes = 0;
        int n = 0;
        for (RaftMessage m = queue.poll(); m != null; m = queue.poll()) {
            bytes += Frames.frameBytes(m);
            n++;
            if (unreachable) {
                notifyDropped(m.getGroupId());
            }
        }
        queuedBytes.addAndGet(-bytes);
        transport.counters().droppedUnreachable.add(n);
    }

    private void notifyDropped(long groupId) {
        if (notifiedGroups.add(groupId)) {
            transport.notifyUnreachable(loop, groupId, peerId);
        }
    }

    /** The lane's end of its own connection: peers never write on it, so anything read is discarded. */
    private final class OutboundHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && channel == ctx.channel() && state == State.CONNECTED) {
                writeQueued();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            transport.logWarn(
                    "io:" + peerId + ":" + lane,
                    "connection to peer " + peerId + " (" + lane + ") at " + address + " failed: " + cause);
            ctx.close();
        }
    }
}
