package io.raftmanager.examples.kv.resp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.redis.RedisEncoder;
import io.raftmanager.examples.kv.EventLoops;
import io.raftmanager.examples.kv.KvNode;
import io.raftmanager.examples.kv.StartupException;
import java.net.InetSocketAddress;

/** The RESP (Redis protocol) server of one node, on Netty's Redis codec. */
public final class RespServer implements AutoCloseable {
    /** The longest inline command (a request typed without RESP framing, e.g. over telnet). */
    static final int MAX_INLINE_BYTES = 64 * 1024;

    private final Channel channel;
    private final Forwarder forwarder;
    private final KvCommands commands;
    /** The RESP port's TLS context (null inside: plain TCP), read by each new connection. */
    private final java.util.concurrent.atomic.AtomicReference<io.netty.handler.ssl.SslContext> serverSsl;
    /** The --client-tls files, or null. */
    private final io.raftmanager.examples.kv.security.TlsFiles tlsFiles;

    private RespServer(
            Channel channel,
            Forwarder forwarder,
            KvCommands commands,
            java.util.concurrent.atomic.AtomicReference<io.netty.handler.ssl.SslContext> serverSsl,
            io.raftmanager.examples.kv.security.TlsFiles tlsFiles) {
        this.channel = channel;
        this.forwarder = forwarder;
        this.commands = commands;
        this.serverSsl = serverSsl;
        this.tlsFiles = tlsFiles;
    }

    /**
     * Binds the node's RESP address.
     *
     * @throws StartupException if the address cannot be bound
     */
    public static RespServer start(KvNode node, EventLoopGroup group) {
        var clientTls = node.config().security().clientTls();
        java.util.concurrent.atomic.AtomicReference<io.netty.handler.ssl.SslContext> serverSsl =
                new java.util.concurrent.atomic.AtomicReference<>(
                        clientTls == null ? null : ClientTls.server(clientTls));
        Forwarder forwarder = new Forwarder(
                group,
                node.config().security().requirepass(),
                clientTls == null ? null : ClientTls.forwarding(clientTls));
        KvCommands commands = new KvCommands(node, forwarder);
        int maxBulk = node.config().maxBulkBytes();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(EventLoops.serverChannel(group))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        io.netty.handler.ssl.SslContext ssl = serverSsl.get();
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new RedisEncoder())
                                .addLast(new RespDecoder(maxBulk))
                                .addLast(new RespConnection(
                                        commands, node.metrics(), node.config().requestTimeoutMillis()));
                    }
                });
        InetSocketAddress address = node.config().redis();
        ChannelFuture bound = b.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            forwarder.close();
            commands.close();
            throw new StartupException(
                    "cannot listen for Redis clients on " + KvNode.hostPort(address) + ": "
                            + bound.cause().getMessage(),
                    bound.cause());
        }
        return new RespServer(bound.channel(), forwarder, commands, serverSsl, clientTls);
    }

    /**
     * Reads the {@code --client-tls-*} files again: new client connections and new forwarding connections
     * use them, open ones keep their session. Throws (keeping the current ones) when they do not load.
     */
    public void reloadTls() {
        if (tlsFiles == null) {
            throw new IllegalStateException("the RESP port runs without TLS");
        }
        io.netty.handler.ssl.SslContext server = ClientTls.server(tlsFiles);
        io.netty.handler.ssl.SslContext forwarding = ClientTls.forwarding(tlsFiles);
        serverSsl.set(server);
        forwarder.useTls(forwarding);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        forwarder.close();
        commands.close();
    }
}
