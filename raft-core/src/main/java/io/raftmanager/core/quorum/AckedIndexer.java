package io.raftmanager.core.quorum;

/** Gives the index a voter has acknowledged, or 0 if none is known. */
@FunctionalInterface
public interface AckedIndexer {
    long ackedIndex(long voter);
}
