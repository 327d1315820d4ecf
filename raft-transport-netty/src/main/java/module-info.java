/**
 * raft-transport-netty: the production {@code Transport} over TCP with Netty (length-prefixed protobuf frames,
 * optional mutual TLS), {@code io.raftmanager.transport.netty}.
 */
module io.raftmanager.transport.netty {
    requires transitive io.raftmanager;
    // EventLoopGroup (shared loops) is in the API.
    requires transitive io.netty.transport;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;

    exports io.raftmanager.transport.netty;
}
