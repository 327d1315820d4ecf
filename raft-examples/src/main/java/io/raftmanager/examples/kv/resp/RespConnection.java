package io.raftmanager.examples.kv.resp;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.raftmanager.examples.kv.admin.KvMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Requests run concurrently (pipelined writes keep their order in the log) but
 * replies are written strictly in request order, each in the protocol version (RESP2 or RESP3) in effect
 * when its request was dispatched. A write waits for the reads sent before it; later requests wait
 * behind it, in order (the {@code deferred} queue), so a connection's commands take effect in order. When too many replies are outstanding the connection
 * stops reading until they drain, so a client's pipeline costs bounded memory. A protocol error is
 * answered with {@code -ERR Protocol error: ...} after the earlier replies, then the connection closes,
 * as Redis does. A request still unanswered after the request timeout is answered {@code -TIMEOUT} by a
 * sweep on the connection's own event loop (one timer per busy connection rather than one per request).
 * With keys sharded over several groups, requests pipeline only while they go to the same group: a
 * request for another group waits until those in flight are answered, so a connection's commands still
 * take effect in the order it sent them (each group's log orders only its own).
 */
final class RespConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);
    static final int MAX_PIPELINE = 1024;

    private final KvCommands commands;
    private final KvMetrics metrics;
    private final Session session = new Session();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> sweeper;
    private boolean failed;
    /** Requests not dispatched yet because an earlier write waits for an earlier read; in order. */
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    /** A drain is queued on the event loop: replies completing meanwhile are written by it, one flush for all. */
    private boolean drainQueued;

    private boolean pumpScheduled;
    /** A request waits for the requests in flight to another group to be answered. */
    private boolean routeWait;

    /** A request awaiting its reply, with what its metrics, its timeout and its encoding need. */
    private record Pending(
            CompletableFuture<RedisMessage> reply,
            String command,
            long startNanos,
            boolean write,
            int[] proto,
            boolean blocking) {
        Pending(CompletableFuture<RedisMessage> reply, String command, long startNanos, boolean write) {
            this(reply, command, startNanos, write, new int[] {2}, false);
        }
    }

    /** A request whose reply slot is reserved, waiting to be dispatched. */
    private record Deferred(List<byte[]> args, Pending pending, CompletableFuture<RedisMessage> previous) {}

    RespConnection(KvCommands commands, KvMetrics metrics, long timeoutMillis) {
        this.commands = commands;
        this.metrics = metrics;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        ctx = c;
        session.loop = c.executor();
        session.remote = String.valueOf(c.channel().remoteAddress()).replaceFirst("^.*/", "");
        session.local = String.valueOf(c.channel().localAddress()).replaceFirst("^.*/", "");
        commands.opened(session);
        metrics.clientConnected();
        c.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        commands.closed(session);
        if (sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
        metrics.clientDisconnected(!pending.isEmpty());
        c.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (failed || session.closeAfterReplies) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RespDecoder.ProtocolError) {
            protocolError(((RespDecoder.ProtocolError) msg).message());
            return;
        }
        List<byte[]> args;
        try {
            args = msg instanceof RespDecoder.Request
                    ? ((RespDecoder.Request) msg).args()
                    : arguments((RedisMessage) msg);
        } catch (IllegalArgumentException e) {
            protocolError(e.getMessage());
            return;
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (args.isEmpty()) {
            return; // an empty request gets no reply
        }
        long start = System.nanoTime();
        String command = new String(args.get(0), StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT);
        Pending p = new Pending(
                new CompletableFuture<>(),
                command,
                start,
                commands.mayWrite(session, args),
                new int[] {2},
                commands.isBlocking(session, args));
        CompletableFuture<RedisMessage> previous = session.tail;
        enqueue(p);
        deferred.add(new Deferred(args, p, previous));
        pump();
    }

    /**
     * Dispatches waiting requests in order. A request that is not a read waits until the last read sent
     * before it has its answer (the read is served at a read index the write could otherwise move past);
     * everything after it waits too. Whether a request is a read is decided when it is dispatched (MULTI
     * turns reads into queued commands).
     */
    private void pump() {
        while (!deferred.isEmpty()) {
            Deferred d = deferred.peek();
            boolean isRead = commands.isRead(session, d.args());
            if (!isRead && !session.lastRead.isDone()) {
                if (!pumpScheduled) {
                    pumpScheduled = true;
                    session.lastRead.whenComplete((r, e) -> ctx.executor().execute(() -> {
                        pumpScheduled = false;
                        pump();
                    }));
                }
                return;
            }
            int route = commands.route(session, d.args());
            if (route != KvCommands.NO_GROUP
                    && session.routeInflight > 0
                    && (route == KvCommands.ALL_GROUPS || route != session.route)) {
                routeWait = true; // resumed by the last of those requests to complete
                return;
            }
            deferred.poll();
            session.previous = d.previous();
            CompletableFuture<RedisMessage> f = execute(d.args());
            if (route != KvCommands.NO_GROUP && f != null && !f.isDone()) {
                session.route = route;
                session.routeInflight++;
                f.whenComplete((r, e) -> ctx.executor().execute(this::routeDone));
            }
            d.pending().proto()[0] = session.proto;
            if (isRead) {
                session.lastRead = f;
            }
            f.whenComplete((r, e) -> {
                if (e != null) {
                    d.pending().reply().completeExceptionally(e);
                } else {
                    d.pending().reply().complete(r);
                }
            });
        }
    }

    private void routeDone() {
        session.routeInflight--;
        if (session.routeInflight == 0 && routeWait) {
            routeWait = false;
            pump();
        }
    }

    private CompletableFuture<RedisMessage> execute(List<byte[]> args) {
        try {
            return commands.execute(session, args);
        } catch (RuntimeException e) {
            LOG.warn("command failed", e);
            return CompletableFuture.completedFuture(Replies.failure(e, true));
        }
    }

    private void enqueue(Pending p) {
        CompletableFuture<RedisMessage> f = p.reply();
        session.tail = f;
        pending.add(p);
        if (f.isDone()) {
            drain();
        } else {
            f.whenComplete((r, e) -> {
                if (ctx.executor().inEventLoop()) {
                    queueDrain();
                } else {
                    ctx.executor().execute(this::queueDrain);
                }
            });
            if (sweeper == null) {
                long period = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4, 250));
                sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
            }
        }
        if (pending.size() >= MAX_PIPELINE) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Drains once after the replies completing in this pass of the event loop (applied together). */
    private void queueDrain() {
        if (!drainQueued) {
            drainQueued = true;
            ctx.executor().execute(() -> {
                drainQueued = false;
                drain();
            });
        }
    }

    /** Answers requests past their deadline; they are the oldest, so the sweep stops at the first live one. */
    private void sweep() {
        long now = System.nanoTime();
        for (Pending p : pending) {
            if (now - p.startNanos() - timeoutNanos < 0 || p.blocking()) {
                break; // a blocking command ends by its own timeout; the requests behind it wait for it
            }
            p.reply()
                    .complete(
                            p.write()
                                    ? Replies.error("TIMEOUT outcome unknown")
                                    : Replies.error("TIMEOUT read timed out"));
        }
        if (pending.isEmpty() && sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }

    private void drain() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().reply().isDone()) {
            Pending p = pending.poll();
            RedisMessage reply = p.reply()
                    .handle((r, e) -> e == null ? r : Replies.failure(e, p.write()))
                    .join();
            if (p.command() != null) {
                metrics.recordCommand(
                        p.command(),
                        System.nanoTime() - p.startNanos(),
                        reply instanceof ErrorRedisMessage
                                || (reply instanceof ReplyMessage
                                        && ((ReplyMessage) reply).reply().hasError()));
            }
            if (reply instanceof ReplyMessage) {
                ctx.write(
                        ReplyEncoder.encode(((ReplyMessage) reply).reply(), p.proto()[0], ctx.alloc()),
                        ctx.voidPromise());
            } else {
                ctx.write(reply, ctx.voidPromise());
            }
            wrote = true;
        }
        if (!wrote) {
            return;
        }
        if (pending.isEmpty() && (failed || session.closeAfterReplies)) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.flush();
        if (pending.size() < MAX_PIPELINE / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        if (cause instanceof IOException) { // reset by peer and the like: nothing to answer
            c.close();
            return;
        }
        Throwable t = cause.getCause() != null && cause.getMessage() == null ? cause.getCause() : cause;
        protocolError(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }

    private void protocolError(String detail) {
        if (failed) {
            return;
        }
        LOG.debug("closing {} after a protocol error: {}", ctx.channel().remoteAddress(), detail);
        metrics.protocolError();
        failed = true;
        ctx.channel().config().setAutoRead(false);
        pending.add(new Pending(
                CompletableFuture.completedFuture(Replies.error("ERR Protocol error: " + detail)), null, 0, false));
        drain();
    }

    /** The request's arguments: an array of bulk strings, or an inline command split on spaces. */
    static List<byte[]> arguments(RedisMessage msg) {
        if (msg instanceof InlineCommandRedisMessage) {
            String line = ((InlineCommandRedisMessage) msg).content().trim();
            List<byte[]> out = new ArrayList<>();
            for (String part : line.split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part.getBytes(StandardCharsets.UTF_8));
                }
            }
            return out;
        }
        if (!(msg instanceof ArrayRedisMessage)) {
            throw new IllegalArgumentException("expected an array of bulk strings");
        }
        ArrayRedisMessage a = (ArrayRedisMessage) msg;
        if (a.isNull()) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>(a.children().size());
        for (RedisMessage child : a.children()) {
            if (!(child instanceof FullBulkStringRedisMessage) || ((FullBulkStringRedisMessage) child).isNull()) {
                throw new IllegalArgumentException("expected '$', got another type");
            }
            out.add(io.netty.buffer.ByteBufUtil.getBytes(((FullBulkStringRedisMessage) child).content()));
        }
        return out;
    }
}
