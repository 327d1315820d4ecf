package io.raftmanager;

import com.google.protobuf.ByteString;

/** A test state machine holding one value: a command replaces it (so retrying one is harmless). */
final class RegisterStateMachine implements StateMachine {
    private volatile ByteString value = ByteString.EMPTY;

    @Override
    public ByteString apply(long index, ByteString command) {
        value = command;
        return command;
    }

    @Override
    public ByteString query(ByteString query) {
        return value;
    }

    @Override
    public boolean applyOnEventLoop() {
        return true;
    }
}
