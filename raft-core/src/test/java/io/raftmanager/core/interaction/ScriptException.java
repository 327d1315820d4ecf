package io.raftmanager.core.interaction;

/** A mistake in a script (unknown command, bad argument): fails the test instead of entering the transcript. */
final class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptException(String message) {
        super(message);
    }
}
