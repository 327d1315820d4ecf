package io.raftmanager.core.interaction;

/** One script command. Handlers print through {@link InteractionEnv#println}; usage errors throw {@link ScriptException}. */
interface Handler {
    void handle(InteractionEnv env, Args args);
}
