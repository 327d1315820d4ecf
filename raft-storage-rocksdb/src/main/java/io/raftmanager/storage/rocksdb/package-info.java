/** RocksDB-backed durable storage for the Raft log, term/vote metadata and snapshots. */
package io.raftmanager.storage.rocksdb;
