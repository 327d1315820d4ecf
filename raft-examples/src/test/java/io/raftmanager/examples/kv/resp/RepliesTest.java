package io.raftmanager.examples.kv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.raftmanager.OperationTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RepliesTest {
    @Test
    void aReadWhoseLeadershipConfirmationTimedOutIsATimeoutNotAnInternalError() {
        Throwable t = new CompletionException(new OperationTimeoutException("read not confirmed in time"));
        assertEquals("TIMEOUT read timed out", ((ErrorRedisMessage) Replies.failure(t, false)).content());
    }
}
