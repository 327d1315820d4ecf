#!/usr/bin/env bash
# Runs the raft-core JMH benchmarks (src/test/java/**/*Benchmark.java) from the test class path.
#
# Usage, from the repository root or anywhere:
#   raft-core/bench.sh                                   # CoreThroughputBenchmark, default settings
#   raft-core/bench.sh CoreThroughputBenchmark.batched -prof gc   # any JMH arguments
#
#   raft-core/bench.sh --cpu [unbatched|batched|pipelined ...]   # CoreThroughputCpuProbe (see below)
#   raft-core/bench.sh --runtime [outstanding ...]     # RuntimeThroughputHarness: 3 RaftNodes in process
#   raft-core/bench.sh --groups [quiesce] WINDOW_MS N ... # ManyGroupsHarness: N idle groups on 3 RaftServers in process
#   raft-core/bench.sh --snapshot [transfer|pause] [MiB] # SnapshotBenchmarkHarness (default: transfer 1024)
#
# With no arguments it runs: CoreThroughputBenchmark -f 1 -wi 10 -w 2s -i 5 -r 2s
# (10 warmup iterations: on the loaded 2-core machine C2 needed 10-20 s to reach steady state; with
# -wi 3 the unbatched score was still climbing during measurement.)
#
# On a shared machine wall-clock scores mostly measure how much CPU the other processes left over;
# --cpu runs the same operations outside JMH and also reports entries per second of thread CPU time.
#
# The class path comes from Maven itself (offline): the debug output of the test compile lists the
# compiler's testPath, which is exactly target/test-classes, target/classes and every test-scope jar.
# (maven-dependency-plugin's build-classpath would be the usual tool, but it is not in the offline
# repository.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cp="$(mvn -o -B -X -pl raft-core test-compile 2>&1 \
    | sed -n 's/.*(f) testPath = \[\(.*\)\]$/\1/p' | head -n 1 | sed 's/, /:/g')" || true
if [[ -z "$cp" || ! -f raft-core/target/test-classes/META-INF/BenchmarkList ]]; then
    echo "bench.sh: test-compile failed or produced no BenchmarkList; run: mvn -o -pl raft-core test-compile" >&2
    exit 1
fi
printf '%s\n' "$cp" > raft-core/target/test-classpath.txt
if [[ "${1:-}" == "--cpu" ]]; then
    shift
    exec java -Xms1g -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        io.raftmanager.core.bench.CoreThroughputCpuProbe "$@"
fi
if [[ "${1:-}" == "--runtime" ]]; then
    shift
    exec java -Xms2g -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        io.raftmanager.node.bench.RuntimeThroughputHarness "$@"
fi
if [[ "${1:-}" == "--groups" ]]; then
    shift
    exec java -Xms2g -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        io.raftmanager.bench.ManyGroupsHarness "$@"
fi
if [[ "${1:-}" == "--snapshot" ]]; then
    shift
    exec java -Xms1g -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
        io.raftmanager.node.SnapshotBenchmarkHarness "$@"
fi
if [[ $# -eq 0 ]]; then
    set -- CoreThroughputBenchmark -f 1 -wi 10 -w 2s -i 5 -r 2s
fi
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
