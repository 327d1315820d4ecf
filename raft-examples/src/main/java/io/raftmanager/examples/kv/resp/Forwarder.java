package io.raftmanager.examples.kv.resp;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.redis.RedisMessage;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards commands from a follower to the leader's RESP server, over a few pipelined connections per
 * leader address, opened on first use and reopened when they break.
 *
 * <p>Order: every request of one client connection goes over the same leader connection ({@code client
 * % CONNECTIONS}), and requests are handed to it in the order {@link #forward} was called, even while the
 * connection is still being opened (a chain of futures, not several callbacks on one future, whose
 * order Java does not promise). The leader proposes a connection's requests in the order it reads
 * them, so one client's pipelined writes enter the log in the order the client sent them.
 */
final class Forwarder implements AutoCloseable {
    /** The internal command that wraps a forwarded one; the receiver never forwards it again. */
    static final String FORWARD_COMMAND = "RAFTKV.FWD";

    static final int CONNECTIONS = 4;

    private final EventLoopGroup group;
    /** This node's RESP password: each leader connection AUTHs first, so forwarding is no way around it. */
    private final io.raftmanager.examples.kv.security.Secret password;
    /** TLS towards the leader's RESP port, or null; replaced when the certificates are reloaded. */
    private volatile io.netty.handler.ssl.SslContext ssl;

    private final ConcurrentHashMap<InetSocketAddress, Link[]> byAddress = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Forwarder(
            EventLoopGroup group,
            io.raftmanager.examples.kv.security.Secret password,
            io.netty.handler.ssl.SslContext ssl) {
        this.group = group;
        this.password = password;
        this.ssl = ssl;
    }

    /** New connections to the leader use {@code ssl}; open ones keep their session. */
    void useTls(io.netty.handler.ssl.SslContext ssl) {
        this.ssl = ssl;
    }

    /** Opens a connection to the leader and, when the cluster has a password, authenticates it. */
    private CompletableFuture<RespClient> open(InetSocketAddress address) {
        CompletableFuture<RespClient> c = RespClient.connect(group, address, ssl);
        if (password == null) {
            return c;
        }
        return c.thenCompose(rc -> rc.send(List.of(
                        "AUTH".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        password.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .thenApply(reply -> {
                    if (reply instanceof io.netty.handler.codec.redis.ErrorRedisMessage e) {
                        rc.close();
                        throw new java.util.concurrent.CompletionException(new java.io.IOException(
                                "the leader at " + address + " refused this node's AUTH: " + e.content()));
                    }
                    return rc;
                }));
    }

    /** Sends {@code request} (already wrapped) to {@code leader} on the connection of {@code client}. */
    CompletableFuture<RedisMessage> forward(InetSocketAddress leader, long client, List<byte[]> request) {
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        Link[] links = byAddress.computeIfAbsent(leader, a -> {
            Link[] l = new Link[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                l[i] = new Link(a);
            }
            return l;
        });
        return links[(int) Math.floorMod(client, (long) CONNECTIONS)].send(request);
    }

    @Override
    public void close() {
        closed = true;
        byAddress.values().forEach(links -> {
            for (Link l : links) {
                l.close();
            }
        });
        byAddress.clear();
    }

    /** One connection to the leader, with the chain that keeps its sends in call order. */
    private final class Link {
        private final InetSocketAddress address;
        private CompletableFuture<RespClient> client; // guarded by this
        private CompletableFuture<Void> sent = CompletableFuture.completedFuture(null); // guarded by this

        Link(InetSocketAddress address) {
            this.address = address;
        }

        synchronized CompletableFuture<RedisMessage> send(List<byte[]> request) {
            CompletableFuture<RespClient> c = current();
            CompletableFuture<RedisMessage> reply = new CompletableFuture<>();
            // Each send waits for the previous one to be handed over, then for the connection.
            sent = sent.thenCompose(ignored -> c.handle((rc, err) -> {
                if (err != null) {
                    reply.completeExceptionally(err);
                } else {
                    rc.send(request).whenComplete((r, e) -> {
                        if (e != null) {
                            reply.completeExceptionally(e);
                        } else {
                            reply.complete(r);
                        }
                    });
                }
                return null;
            }));
            return reply;
        }

        private CompletableFuture<RespClient> current() {
            CompletableFuture<RespClient> c = client;
            boolean broken = c != null
                    && (c.isCompletedExceptionally() || (c.isDone() && !c.join().isOpen()));
            if (c == null || broken) {
                c = open(address);
                client = c;
            }
            return c;
        }

        synchronized void close() {
            if (client != null) {
                client.thenAccept(RespClient::close);
            }
        }
    }
}
