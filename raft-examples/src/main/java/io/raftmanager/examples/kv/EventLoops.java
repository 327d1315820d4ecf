package io.raftmanager.examples.kv;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.raftmanager.node.RaftEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * The event loops a raft-kv node runs everything on: Redis clients, Raft peers and the Raft group share
 * them (epoll where available), so a request crosses no thread between its socket and the Raft core.
 */
public final class EventLoops {
    private EventLoops() {}

    /** A group of {@code threads} loops, epoll when the native library loads, NIO otherwise. */
    public static EventLoopGroup create(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory(name, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A Raft engine whose loops are {@code group}'s (it never shuts them down). */
    public static RaftEngine engineOn(EventLoopGroup group, String name) {
        return engineOn(group, name, 2);
    }

    /**
     * As {@link #engineOn(EventLoopGroup, String)}, with {@code diskThreads} threads writing logs. A log
     * write that must be durable holds its thread until the fsync, and the RocksDB engine's group commit
     * merges only the writes that wait at the same time: with thousands of groups electing or writing at
     * once, two threads would let only two groups share each fsync.
     */
    public static RaftEngine engineOn(EventLoopGroup group, String name, int diskThreads) {
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        return RaftEngine.builder()
                .loopExecutors(loops)
                .name(name)
                .diskThreads(diskThreads)
                .build();
    }

    private static boolean epoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup g && g.isIoType(EpollIoHandler.class);
    }

    /** The server socket channel class that registers with {@code group}. */
    public static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return epoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client socket channel class that registers with {@code group}. */
    public static Class<? extends Channel> socketChannel(EventLoopGroup group) {
        return epoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
