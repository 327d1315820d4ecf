#!/usr/bin/env bash
# Builds the examples jar (tests skipped) and starts a local 3-node raft-kv cluster, one JVM per node.
# Talk to it with any Redis client, e.g. `redis-cli -p 6381 set hello world` then `redis-cli -p 6383 get hello`.
# Ctrl-C stops every node. Extra arguments go to `raft-kv cluster` (see --help); the in-process counter
# demo is still there: java -jar raft-examples/target/raft-kv.jar demo
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java --enable-native-access=ALL-UNNAMED -jar raft-examples/target/raft-kv.jar cluster "$@"
