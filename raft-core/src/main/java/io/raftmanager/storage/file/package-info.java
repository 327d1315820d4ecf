/** A durable, crash-safe {@link io.raftmanager.spi.SnapshotStore} in a directory of files. */
package io.raftmanager.storage.file;
