package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.List;

/** A data command's implementation: the full argv (name first), arity already checked. */
@FunctionalInterface
public interface Handler {
    Reply run(Ctx c, List<ByteString> argv);
}
