package io.raftmanager.examples.jepsen;

/**
 * One fault as it happened: what, to whom, and when it began and ended ({@link System#nanoTime}); an
 * operation the nemesis skipped (an admin endpoint missing) has {@code skipped} set.
 */
record Fault(String kind, String detail, long startNanos, long endNanos, boolean skipped) {}
