package io.raftmanager.examples.jepsen;

/** One named verdict of a run, with what it found. */
record Check(String name, boolean passed, String detail) {}
