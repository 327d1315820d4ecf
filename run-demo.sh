#!/usr/bin/env bash
# Builds the examples jar (tests skipped) and runs the local cluster demo.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java --enable-native-access=ALL-UNNAMED -jar raft-examples/target/raft-kv.jar demo "$@"
