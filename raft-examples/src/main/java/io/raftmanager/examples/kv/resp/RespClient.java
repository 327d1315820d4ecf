package io.raftmanager.examples.kv.resp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.EventLoops;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A small asynchronous RESP client over one connection: requests are pipelined and replies matched in
 * order. Used to forward commands to the leader and by the load generator. Replies are heap copies that
 * need no releasing. Thread-safe.
 */
public final class RespClient implements AutoCloseable {
    private final Channel channel;
    private final ArrayDeque<CompletableFuture<RedisMessage>> pending = new ArrayDeque<>(); // event loop only

    private RespClient(Channel channel) {
        this.channel = channel;
    }

    /** Connects; the future fails with the connect exception (for example {@link java.net.ConnectException}). */
    public static CompletableFuture<RespClient> connect(EventLoopGroup group, InetSocketAddress address) {
        return connect(group, address, null);
    }

    /** Connects over TLS with {@code ssl} (null for plain TCP). */
    public static CompletableFuture<RespClient> connect(
            EventLoopGroup group, InetSocketAddress address, io.netty.handler.ssl.SslContext ssl) {
        CompletableFuture<RespClient> result = new CompletableFuture<>();
        RespClient[] holder = new RespClient[1];
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RespClient client = new RespClient(ch);
                        holder[0] = client;
                        if (ssl != null) {
                            ch.pipeline()
                                    .addLast(ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        }
                        ch.pipeline()
                                .addLast(new RedisEncoder())
                                .addLast(new RedisDecoder(false))
                                .addLast(new RedisBulkStringAggregator())
                                .addLast(new RedisArrayAggregator(1 << 24, 16))
                                .addLast(client.new Handler());
                    }
                });
        ChannelFuture f = b.connect(address);
        f.addListener(done -> {
            if (done.isSuccess()) {
                result.complete(holder[0]);
            } else {
                result.completeExceptionally(done.cause());
            }
        });
        return result;
    }

    /**
     * Sends one command; completes with its reply (errors are replies too, not failures). Requests are
     * written in the order of the calls that happen-before one another.
     */
    public CompletableFuture<RedisMessage> send(List<byte[]> args) {
        List<RedisMessage> parts = new ArrayList<>(args.size());
        for (byte[] a : args) {
            parts.add(new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(a)));
        }
        return send(new ArrayRedisMessage(parts));
    }

    /** Sends a message as it is (it is released once written). */
    public CompletableFuture<RedisMessage> send(RedisMessage request) {
        CompletableFuture<RedisMessage> f = new CompletableFuture<>();
        // Always through the event loop's queue, even from the loop itself: requests then go out in the
        // order send was called, whichever threads called it.
        channel.eventLoop().execute(() -> write(request, f));
        return f;
    }

    private void write(RedisMessage request, CompletableFuture<RedisMessage> f) {
        if (!channel.isActive()) {
            io.netty.util.ReferenceCountUtil.release(request);
            f.completeExceptionally(new ClosedChannelException());
            return;
        }
        pending.add(f);
        channel.writeAndFlush(request).addListener(w -> {
            if (!w.isSuccess()) {
                channel.close();
            }
        });
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Requests sent and not yet answered; approximate when read from outside the event loop. */
    public int inFlight() {
        return pending.size();
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public void close() {
        channel.close();
    }

    private final class Handler extends SimpleChannelInboundHandler<RedisMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RedisMessage msg) {
            CompletableFuture<RedisMessage> f = pending.poll();
            if (f != null) {
                f.complete(Replies.copy(msg));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            failAll();
        }

        private void failAll() {
            CompletableFuture<RedisMessage> f;
            while ((f = pending.poll()) != null) {
                f.completeExceptionally(new ClosedChannelException());
            }
        }
    }
}
