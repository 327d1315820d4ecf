package io.raftmanager.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.raftmanager.InvalidConfigException;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.proto.RaftMessage;
import io.raftmanager.spi.InboundHandler;
import io.raftmanager.spi.Transport;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Transport}: length-prefixed protobuf frames over TCP, with mutual TLS unless
 * plaintext is explicitly configured.
 *
 * <p><b>Connections.</b> A server listens on {@link NettyTransportConfig#bindAddress()}. Towards each peer
 * there are up to two outbound connections, opened on first use: one for ordinary messages and one for
 * snapshot chunks ({@code install_snapshot_request}), so that heartbeats are never queued behind snapshot
 * bytes. A lost connection is reopened by the next send; failed attempts back off exponentially with
 * jitter, and messages sent while backing off are dropped at once. Messages travel one way on each
 * connection: a server answers over its own outbound connection.
 *
 * <p><b>Bounds.</b> Each lane queues at most {@link NettyTransportConfig#peerQueueBytes()} (or {@link
 * NettyTransportConfig#snapshotQueueBytes()}); beyond that, messages are dropped and counted, and the
 * handler hears {@link InboundHandler#onUnreachable} once per group until the lane makes progress again.
 * A slow or dead peer therefore costs bounded memory and never delays other peers.
 *
 * <p><b>Inbound checks.</b> A frame longer than {@link NettyTransportConfig#maxFrameBytes()}, bytes that do
 * not parse, a format version this library does not know, another cluster id, a group not served here
 * (except on a {@code heartbeat_batch}, which spans groups and is checked group by group where unpacked),
 * another recipient or a sender outside the address book close the connection; the refusal is counted
 * by {@link InvalidMessageException.Reason} in {@link #stats()} and logged (rate-limited) with the remote
 * address. Nothing from a refused connection reaches the handler.
 *
 * <p><b>Threads.</b> {@link #send}, {@link #addPeer}, {@link #removePeer}, {@link #stats} and {@link #close}
 * may be called from any thread; only {@code close} blocks (briefly, to release threads). The handler is
 * called on the transport's event-loop threads. Epoll is used when it is available, NIO otherwise.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    /**
     * A point-in-time view of the transport's counters. All counts are totals since start.
     *
     * @param messagesSent messages written to a connection
     * @param messagesReceived messages handed to the inbound handler
     * @param droppedBackpressure messages dropped because their lane's queue was full
     * @param droppedUnreachable messages dropped because the peer could not be reached (connecting failed,
     *     backing off, connection lost with messages queued, lane closed)
     * @param droppedUnknownPeer messages to an id that is not in the address book
     * @param droppedOversize messages larger than the maximum frame size
     * @param droppedClosed messages sent before start or after close
     * @param inboundRefused inbound connections closed for a refused frame, all reasons
     * @param inboundRefusedByReason the same, by reason (reasons with a zero count are omitted). {@code
     *     WRONG_IDENTITY} also counts outbound connections dropped because the server's certificate names
     *     another node than the one dialled (with {@link TlsConfig#withNodeIdBinding})
     * @param tlsRejected inbound connections whose TLS handshake failed
     * @param connectFailures failed outbound connection attempts
     * @param queuedBytes bytes currently queued towards all peers
     */
    public record Stats(
            long messagesSent,
            long messagesReceived,
            long droppedBackpressure,
            long droppedUnreachable,
            long droppedUnknownPeer,
            long droppedOversize,
            long droppedClosed,
            long inboundRefused,
            Map<InvalidMessageException.Reason, Long> inboundRefusedByReason,
            long tlsRejected,
            long connectFailures,
            long queuedBytes) {}

    private enum Lifecycle {
        NEW,
        STARTED,
        CLOSED
    }

    private final NettyTransportConfig config;
    private final Counters counters = new Counters();
    private final Backoff backoff;
    private final RateLimitedLog warnLog;
    private final RateLimitedLog infoLog;
    private final ConcurrentHashMap<Long, Peer> peers = new ConcurrentHashMap<>();
    private final String threadNamePrefix;
    private final Object lifecycleLock = new Object();

    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile InboundHandler handler;
    private EventLoopGroup group;
    /** Event loops the application gave to share (not shut down on close), or null. */
    private final EventLoopGroup sharedGroup;
    /**
     * The connections peers opened to us. Closed explicitly on close: loops this transport does not own keep
     * running, and peers would otherwise keep writing into connections nobody reads.
     */
    private final ChannelGroup accepted = new DefaultChannelGroup("raft-accepted", GlobalEventExecutor.INSTANCE);

    private Channel serverChannel;
    private volatile InetSocketAddress boundAddress;
    private boolean epoll;
    /** Replaced by {@link #reloadTls()}; each new connection uses the contexts current when it opens. */
    private volatile SslContext serverSsl;

    private volatile SslContext clientSsl;
    private WriteBufferWaterMark regularWaterMark;
    private WriteBufferWaterMark snapshotWaterMark;

    /** Creates a transport with event loops of its own; nothing is bound or started until {@link #start}. */
    public NettyTransport(NettyTransportConfig config) {
        this(config, null);
    }

    /**
     * Creates a transport that runs on {@code sharedLoops} (its {@code ioThreads} setting is then unused)
     * and never shuts them down. Share the loops that a {@link io.raftmanager.node.RaftEngine} runs the Raft
     * groups on, and the messages a group exchanges are handled on its own loop without a thread hand-off.
     * Outbound connections opened from one of these loops stay on it.
     *
     * @param sharedLoops the loops, epoll or NIO ({@code nativeTransport} is then read off them), or null for
     *     loops of the transport's own
     */
    public NettyTransport(NettyTransportConfig config, EventLoopGroup sharedLoops) {
        this.config = Objects.requireNonNull(config, "config");
        this.sharedGroup = sharedLoops;
        this.backoff = new Backoff(
                TimeUnit.MILLISECONDS.toNanos(config.reconnectBackoffMinMillis()),
                TimeUnit.MILLISECONDS.toNanos(config.reconnectBackoffMaxMillis()),
                config.jitterRandom());
        this.warnLog = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NANOS, System::nanoTime, LOG::warn);
        this.infoLog = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NANOS, System::nanoTime, LOG::info);
        this.threadNamePrefix = "raft-netty-n" + config.nodeId() + "-" + INSTANCES.incrementAndGet();
        config.peers().forEach((id, address) -> peers.put(id, new Peer(id, address)));
    }

    /**
     * Binds the server and starts the event loops; inbound messages go to {@code handler}. Called once.
     *
     * @throws InvalidConfigException naming {@code bindAddress} if the address cannot be bound, or {@code
     *     tls} if the certificates cannot be loaded
     * @throws IllegalStateException if called twice or after {@link #close}
     */
    @Override
    public void start(InboundHandler handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (lifecycleLock) {
            if (lifecycle != Lifecycle.NEW) {
                throw new IllegalStateException("transport already " + lifecycle);
            }
            if (config.tls() != null) {
                serverSsl = SslContexts.server(config.tls());
                clientSsl = SslContexts.client(config.tls());
            }
            regularWaterMark = waterMark(config.peerQueueBytes());
            snapshotWaterMark = waterMark(config.snapshotQueueBytes());
            if (sharedGroup != null) {
                epoll = sharedGroup instanceof IoEventLoopGroup g && g.isIoType(EpollIoHandler.class);
                group = sharedGroup;
            } else {
                epoll = config.nativeTransport() && Epoll.isAvailable();
                IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
                group = new MultiThreadIoEventLoopGroup(
                        config.ioThreads(), new DefaultThreadFactory(threadNamePrefix, true), io);
            }
            this.handler = handler;
            try {
                serverChannel = new ServerBootstrap()
                        .group(group)
                        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                accepted.add(ch);
                                ChannelPipeline p = ch.pipeline();
                                SslContext ssl = serverSsl;
                                if (ssl != null) {
                                    p.addLast("tls", ssl.newHandler(ch.alloc()));
                                }
                                p.addLast("frames", new FrameDecoder(config.maxFrameBytes()));
                                p.addLast("dispatch", new InboundDispatcher(NettyTransport.this));
                            }
                        })
                        .bind(config.bindAddress())
                        .syncUninterruptibly()
                        .channel();
            } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
                shutdownGroup();
                lifecycle = Lifecycle.CLOSED;
                throw new InvalidConfigException("bindAddress", "cannot bind " + config.bindAddress() + ": " + e);
            }
            boundAddress = (InetSocketAddress) serverChannel.localAddress();
            lifecycle = Lifecycle.STARTED;
        }
        LOG.info(
                "node {} listening on {} ({}, {})",
                config.nodeId(),
                boundAddress,
                epoll ? "epoll" : "nio",
                config.plaintext() ? "PLAINTEXT" : "mutual TLS");
    }

    /**
     * Reads the TLS certificate, key and trusted certificates again from the configured files; connections
     * opened from now on use them, open ones keep the session they authenticated with. Rotate by replacing
     * the files (each atomically, e.g. by rename) and calling this. When the new files do not load, the
     * old contexts stay in use.
     *
     * @throws InvalidConfigException naming {@code tls} if the files do not load
     * @throws IllegalStateException if the transport runs in plaintext or is not started
     */
    public void reloadTls() {
        TlsConfig tls = config.tls();
        if (tls == null) {
            throw new IllegalStateException("transport runs in plaintext: nothing to reload");
        }
        synchronized (lifecycleLock) {
            if (lifecycle != Lifecycle.STARTED) {
                throw new IllegalStateException("transport " + lifecycle);
            }
            SslContext server = SslContexts.server(tls);
            SslContext client = SslContexts.client(tls);
            serverSsl = server;
            clientSsl = client;
        }
        LOG.info("node {} reloaded its TLS certificates ({})", config.nodeId(), tls);
    }

    private static WriteBufferWaterMark waterMark(long queueBytes) {
        int high = (int) Math.max(64 << 10, Math.min(queueBytes / 2, Integer.MAX_VALUE));
        return new WriteBufferWaterMark(high / 2, high);
    }

    /**
     * Queues {@code message} for {@code message.getTo()}. Never blocks and never throws for network
     * trouble: a message that cannot be queued is dropped and counted (see {@link Stats}).
     */
    @Override
    public void send(RaftMessage message) {
        if (lifecycle != Lifecycle.STARTED) {
            counters.droppedClosed.increment();
            return;
        }
        long frameBytes = Frames.frameBytes(message);
        if (frameBytes - Frames.LENGTH_BYTES > config.maxFrameBytes()) {
            counters.droppedOversize.increment();
            warnLog.log(
                    "oversize",
                    "dropping a " + message.getBodyCase() + " of " + (frameBytes - Frames.LENGTH_BYTES)
                            + " bytes to peer " + message.getTo() + ": over maxFrameBytes " + config.maxFrameBytes());
            return;
        }
        Peer peer = peers.get(message.getTo());
        if (peer == null) {
            counters.droppedUnknownPeer.increment();
            EventLoopGroup g = group;
            notifyUnreachable(g.next(), message.getGroupId(), message.getTo());
            return;
        }
        peer.lane(message).send(message, frameBytes);
    }

    /**
     * Adds {@code peerId} to the address book or moves it to {@code address}; from then on its frames are
     * accepted and messages to it are sent. Moving a peer closes its old connections.
     */
    public void addPeer(long peerId, InetSocketAddress address) {
        if (peerId == 0 || peerId == config.nodeId()) {
            throw new IllegalArgumentException("invalid peer id " + peerId);
        }
        Objects.requireNonNull(address, "address");
        peers.compute(peerId, (id, old) -> {
            if (old != null && old.address.equals(address)) {
                return old;
            }
            if (old != null) {
                old.close();
            }
            return new Peer(id, address);
        });
    }

    /**
     * Removes {@code peerId} from the address book: its connections are closed, messages to it are dropped
     * and its frames refused from now on. Removing an unknown peer does nothing.
     */
    public void removePeer(long peerId) {
        Peer old = peers.remove(peerId);
        if (old != null) {
            old.close();
        }
    }

    /** The address the server is bound to (with the chosen port when the configured port was 0). */
    public InetSocketAddress boundAddress() {
        InetSocketAddress a = boundAddress;
        if (a == null) {
            throw new IllegalStateException("transport not started");
        }
        return a;
    }

    /** A snapshot of the counters. */
    public Stats stats() {
        long queued = 0;
        for (Peer p : peers.values()) {
            queued += p.queuedBytes();
        }
        return counters.snapshot(queued);
    }

    /**
     * Closes the server, every connection and the event loops, and waits (a few seconds at most) for the
     * I/O threads to end; idempotent. Queued messages are dropped. Called from one of the transport's own
     * threads (from the handler), it does not wait.
     */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (lifecycle == Lifecycle.CLOSED) {
                return;
            }
            boolean started = lifecycle == Lifecycle.STARTED;
            lifecycle = Lifecycle.CLOSED;
            if (!started) {
                return;
            }
        }
        if (serverChannel != null) {
            serverChannel.close();
        }
        accepted.close();
        for (Peer p : peers.values()) {
            p.close();
        }
        shutdownGroup();
        LOG.info("node {} transport closed", config.nodeId());
    }

    private void shutdownGroup() {
        if (group == null || group == sharedGroup) {
            return;
        }
        var terminated = group.shutdownGracefully(0, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        boolean onOwnThread = Thread.currentThread().getName().startsWith(threadNamePrefix + "-");
        if (!onOwnThread && !terminated.awaitUninterruptibly(2 * CLOSE_TIMEOUT_MILLIS)) {
            LOG.warn("node {}: event loops did not stop within {} ms", config.nodeId(), 2 * CLOSE_TIMEOUT_MILLIS);
        }
    }

    /**
     * The calling thread's loop when it is one of ours (a Raft group's loop sending its first message to a
     * peer), so the group's traffic to that peer stays on its loop; otherwise the next loop.
     */
    private EventLoop loopForNewConnection() {
        for (EventExecutor e : group) {
            if (e.inEventLoop() && e instanceof EventLoop l) {
                return l;
            }
        }
        return group.next();
    }

    // ---- package-private collaborators -------------------------------------------------------------

    NettyTransportConfig config() {
        return config;
    }

    Counters counters() {
        return counters;
    }

    Backoff backoff() {
        return backoff;
    }

    String threadNamePrefix() {
        return threadNamePrefix;
    }

    boolean usesEpoll() {
        return epoll;
    }

    boolean bindsNodeIds() {
        return config.tls() != null && config.tls().bindNodeId();
    }

    boolean isPeer(long id) {
        return peers.containsKey(id);
    }

    void deliver(RaftMessage m) {
        counters.received.increment();
        try {
            handler.onMessage(m);
        } catch (RuntimeException e) {
            warnLog.log("handler", "inbound handler threw on a " + m.getBodyCase() + " from " + m.getFrom() + ": " + e);
        }
    }

    void notifyUnreachable(EventLoop loop, long groupId, long peerId) {
        if (lifecycle != Lifecycle.STARTED) {
            return;
        }
        try {
            loop.execute(() -> {
                if (lifecycle == Lifecycle.STARTED) {
                    try {
                        handler.onUnreachable(groupId, peerId);
                    } catch (RuntimeException e) {
                        warnLog.log("handler", "inbound handler threw in onUnreachable: " + e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    /** Opens a connection on {@code loop} (the lane's own loop, so its state stays single-threaded). */
    ChannelFuture connect(EventLoop loop, InetSocketAddress address, PeerConnection.Lane lane, ChannelHandler last) {
        SslContext ssl = clientSsl;
        return new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        lane == PeerConnection.Lane.SNAPSHOT ? snapshotWaterMark : regularWaterMark)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline()
                                    .addLast(
                                            "tls",
                                            ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        }
                        ch.pipeline().addLast("lane", last);
                    }
                })
                .connect(address);
    }

    void logWarn(String key, String line) {
        warnLog.log(key, "node " + config.nodeId() + ": " + line);
    }

    void logInfo(String key, String line) {
        infoLog.log(key, "node " + config.nodeId() + ": " + line);
    }

    void logDebug(String line) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {}: {}", config.nodeId(), line);
        }
    }

    /** One peer: its address and its two lanes, created on first use. */
    private final class Peer {
        final long id;
        final InetSocketAddress address;
        private PeerConnection regular;
        private PeerConnection snapshot;
        private boolean closed;

        Peer(long id, InetSocketAddress address) {
            this.id = id;
            this.address = address;
        }

        synchronized PeerConnection lane(RaftMessage m) {
            boolean isSnapshot = m.getBodyCase() == RaftMessage.BodyCase.INSTALL_SNAPSHOT_REQUEST;
            PeerConnection c = isSnapshot ? snapshot : regular;
            if (c == null) {
                PeerConnection.Lane lane = isSnapshot ? PeerConnection.Lane.SNAPSHOT : PeerConnection.Lane.REGULAR;
                long limit = isSnapshot ? config.snapshotQueueBytes() : config.peerQueueBytes();
                c = new PeerConnection(NettyTransport.this, id, lane, address, loopForNewConnection(), limit);
                if (closed) {
                    c.close();
                }
                if (isSnapshot) {
                    snapshot = c;
                } else {
                    regular = c;
                }
            }
            return c;
        }

        synchronized long queuedBytes() {
            return (regular == null ? 0 : regular.queuedBytes()) + (snapshot == null ? 0 : snapshot.queuedBytes());
        }

        synchronized void close() {
            closed = true;
            if (regular != null) {
                regular.close();
            }
            if (snapshot != null) {
                snapshot.close();
            }
        }
    }
}
