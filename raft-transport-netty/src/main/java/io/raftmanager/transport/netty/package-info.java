/** Netty-based network transport that carries Raft RPCs between nodes as length-prefixed protobuf messages. */
package io.raftmanager.transport.netty;
