package io.raftmanager.examples.kv.resp;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.redis.RedisMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards commands from a follower to the leader's RESP server, over a few pipelined connections per
 * leader address, opened on first use and reopened when they break. The leader's reply is relayed to
 * the client unchanged, so every error convention is the leader's own.
 */
final class Forwarder implements AutoCloseable {
    /** The internal command that wraps a forwarded one; the receiver never forwards it again. */
    static final String FORWARD_COMMAND = "RAFTKV.FWD";

    private static final int CONNECTIONS = 4;

    private final EventLoopGroup group;
    private final ConcurrentHashMap<InetSocketAddress, Slots> byAddress = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Forwarder(EventLoopGroup group) {
        this.group = group;
    }

    /** Sends {@code args} wrapped in {@value #FORWARD_COMMAND} to {@code leader}. */
    CompletableFuture<RedisMessage> forward(InetSocketAddress leader, List<byte[]> args) {
        if (closed) {
            return CompletableFuture.failedFuture(new java.nio.channels.ClosedChannelException());
        }
        List<byte[]> wrapped = new java.util.ArrayList<>(args.size() + 1);
        wrapped.add(FORWARD_COMMAND.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        wrapped.addAll(args);
        return byAddress.computeIfAbsent(leader, Slots::new).next().thenCompose(c -> c.send(wrapped));
    }

    @Override
    public void close() {
        closed = true;
        byAddress.values().forEach(Slots::close);
        byAddress.clear();
    }

    private final class Slots {
        private final InetSocketAddress address;
        private final AtomicInteger counter = new AtomicInteger();

        @SuppressWarnings({"unchecked", "rawtypes"})
        private final CompletableFuture<RespClient>[] clients = new CompletableFuture[CONNECTIONS];

        Slots(InetSocketAddress address) {
            this.address = address;
        }

        CompletableFuture<RespClient> next() {
            int i = Math.floorMod(counter.getAndIncrement(), CONNECTIONS);
            synchronized (this) {
                CompletableFuture<RespClient> c = clients[i];
                boolean broken = c != null
                        && (c.isCompletedExceptionally()
                                || (c.isDone() && !c.join().isOpen()));
                if (c == null || broken) {
                    c = RespClient.connect(group, address);
                    clients[i] = c;
                }
                return c;
            }
        }

        synchronized void close() {
            for (CompletableFuture<RespClient> c : clients) {
                if (c != null) {
                    c.thenAccept(RespClient::close);
                }
            }
        }
    }
}
