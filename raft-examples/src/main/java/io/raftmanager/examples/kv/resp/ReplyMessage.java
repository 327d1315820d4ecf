package io.raftmanager.examples.kv.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.raftmanager.examples.kv.proto.Reply;

/**
 * A protocol-independent {@link Reply} waiting in a connection's reply queue; the connection encodes it
 * as RESP2 or RESP3 ({@link ReplyEncoder}) when it writes it.
 */
record ReplyMessage(Reply reply) implements RedisMessage {}
