package io.raftmanager.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.raftmanager.InvalidMessageException;
import io.raftmanager.InvalidMessageException.Reason;
import io.raftmanager.proto.FormatVersion;
import io.raftmanager.proto.RaftMessage;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * The last handler of an inbound connection: checks each decoded frame's envelope against the
 * configuration and hands accepted messages to the {@link io.raftmanager.spi.InboundHandler}.
 *
 * <p>The envelope checks are the transport's share of "validate at the edge": format version, cluster,
 * served group, recipient and a known sender. The message's meaning is the core's to check. The first
 * refused frame closes the connection, is counted by reason and logged (rate-limited) with the remote
 * address; frames decoded after it in the same read are dropped, so nothing from a refused connection
 * reaches the handler.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {
    static final int SUPPORTED_FORMAT_VERSION = FormatVersion.FORMAT_VERSION_1_VALUE;

    private final NettyTransport transport;
    private boolean refused;
    /** The node id the client's certificate names, once looked up (with node-id binding only). */
    private long certifiedId = -1;

    InboundDispatcher(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RaftMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (refused) {
            return;
        }
        InvalidMessageException problem = check(m, transport.config(), transport);
        if (problem == null && transport.bindsNodeIds()) {
            problem = checkIdentity(ctx, m);
        }
        if (problem != null) {
            refuse(ctx, problem);
            return;
        }
        transport.deliver(m);
    }

    /** Returns why {@code m}'s envelope is refused, or null if it is acceptable. */
    static InvalidMessageException check(RaftMessage m, NettyTransportConfig config, NettyTransport peers) {
        int version = m.getFormatVersion();
        if (version == 0) {
            return new InvalidMessageException(Reason.MALFORMED, "missing format version");
        }
        if (Integer.compareUnsigned(version, SUPPORTED_FORMAT_VERSION) > 0) {
            return new InvalidMessageException(
                    Reason.UNSUPPORTED_VERSION,
                    "format version " + Integer.toUnsignedString(version) + " > supported " + SUPPORTED_FORMAT_VERSION);
        }
        if (!config.clusterId().equals(m.getClusterId())) {
            return new InvalidMessageException(
                    Reason.WRONG_CLUSTER, "cluster '" + m.getClusterId() + "' is not '" + config.clusterId() + "'");
        }
        // A heartbeat batch spans groups; the server that unpacks it routes (or drops) each heartbeat.
        if (m.getBodyCase() != RaftMessage.BodyCase.HEARTBEAT_BATCH
                && !config.servedGroups().test(m.getGroupId())) {
            return new InvalidMessageException(Reason.WRONG_GROUP, "group " + m.getGroupId() + " is not served here");
        }
        if (m.getTo() != config.nodeId()) {
            return new InvalidMessageException(
                    Reason.WRONG_RECIPIENT, "addressed to " + m.getTo() + ", this is " + config.nodeId());
        }
        if (!peers.isPeer(m.getFrom())) {
            return new InvalidMessageException(Reason.UNKNOWN_PEER, "sender " + m.getFrom() + " is not a known peer");
        }
        return null;
    }

    /** With node-id binding: the sender must be the node the client certificate was issued to. */
    private InvalidMessageException checkIdentity(ChannelHandlerContext ctx, RaftMessage m) {
        if (certifiedId == -1) {
            certifiedId = PeerIdentity.ofChannel(ctx.channel());
        }
        if (certifiedId == PeerIdentity.NONE) {
            return new InvalidMessageException(
                    Reason.WRONG_IDENTITY,
                    "the peer's certificate names no node id (" + PeerIdentity.URI_PREFIX + "N)");
        }
        if (m.getFrom() != certifiedId) {
            return new InvalidMessageException(
                    Reason.WRONG_IDENTITY,
                    "sender claims to be node " + m.getFrom() + " but its certificate is for node " + certifiedId);
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, InvalidMessageException problem) {
        if (refused) {
            return;
        }
        refused = true;
        transport.counters().rejected(problem.reason());
        transport.logWarn(
                "refused:" + problem.reason(),
                "closing connection from " + ctx.channel().remoteAddress() + ": " + problem.getMessage());
        ctx.channel().config().setAutoRead(false);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            refused = true;
            transport.counters().tlsRejected.increment();
            transport.logWarn(
                    "tls",
                    "closing connection from " + ctx.channel().remoteAddress() + ": TLS handshake failed: "
                            + e.cause());
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof InvalidMessageException ime) {
            refuse(ctx, ime);
        } else if (c instanceof SSLException) {
            // Counted and logged by the handshake event; a failure after the handshake is logged here.
            if (!refused) {
                transport.logWarn(
                        "tls-io",
                        "TLS failure on connection from " + ctx.channel().remoteAddress() + ": " + c);
            }
            refused = true;
            ctx.close();
        } else if (c instanceof IOException) {
            transport.logDebug("connection from " + ctx.channel().remoteAddress() + " failed: " + c);
            ctx.close();
        } else {
            transport.logWarn(
                    "inbound-error", "closing connection from " + ctx.channel().remoteAddress() + ": " + c);
            ctx.close();
        }
    }
}
