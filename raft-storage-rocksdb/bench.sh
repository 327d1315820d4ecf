#!/usr/bin/env bash
# Synced write throughput of RocksLogStorage next to the raw RocksDB ceiling (RocksLogStorageBench).
#
# Usage, from the repository root or anywhere:
#   raft-storage-rocksdb/bench.sh                 # 3 s per round, 3 rounds per side, median reported
#   raft-storage-rocksdb/bench.sh 5 5             # seconds per round, rounds
#
# Points: 1 and 8 writer threads x batches of 1, 16 and 256 entries of 100 bytes, every write synced.
# The data lives in raft-storage-rocksdb/target/bench-data (a real disk; deleted at the end).
#
# The class path comes from Maven itself (offline): the debug output of the test compile lists the
# compiler's testPath (target/test-classes, target/classes, raft-core's classes and every test-scope
# jar). maven-dependency-plugin is not in the offline repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log="$(mvn -o -B -X -Djacoco.skip=true -pl raft-core,raft-storage-rocksdb test-compile 2>&1)" || true
cp="$(printf '%s\n' "$log" | sed -n 's/.*(f) testPath = \[\(.*\)\]$/\1/p' | tail -n 1 | sed 's/, /:/g')"
if [[ "$log" == *"BUILD FAILURE"* || -z "$cp" || "$cp" != *raft-storage-rocksdb/target/test-classes* ]]; then
    echo "bench.sh: test-compile failed; run: mvn -o -pl raft-core,raft-storage-rocksdb test-compile" >&2
    exit 1
fi
exec java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    io.raftmanager.storage.rocksdb.RocksLogStorageBench "$@"
