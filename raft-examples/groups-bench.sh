#!/usr/bin/env bash
# Sharded raft-kv benchmarks (issue 15), on `raft-kv cluster --groups G` (3 node processes, RocksDB with
# fsync, 100-byte values). Run from the repository root after `mvn -o package -DskipTests`.
#   raft-examples/groups-bench.sh scale [G...]    SET throughput and latency at 128 clients, per group count
#                                                  (default 1 4 16 64), clients spread over the 3 nodes
#   raft-examples/groups-bench.sh idle G [G...]   time until every group is led and balanced, then idle
#                                                  CPU of the node processes, inter-node messages/s, heap
# Do not run it while /work/coord/QUIET exists or another benchmark runs: the numbers need a quiet machine.
set -euo pipefail
JAR=raft-examples/target/raft-kv.jar
BASE=${BASE:-24380}
DUR=${DUR:-20s}
OUT=${OUT:-target/groups-bench}
mkdir -p "$OUT"

redis_ports() { echo "127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2)),127.0.0.1:$((BASE + 3))"; }

# Prints "led leaderless" for node $1 from its /status (group 0 counts as one group when G=1).
status_of() {
  curl -s --max-time 10 "http://127.0.0.1:$((BASE + 2000 + $1))/status" | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)
except Exception:
    print("0 -1"); sys.exit()
g = s.get("groups")
if g is None:
    print(1 if s.get("role") == "leader" else 0, 0 if s.get("leader", 0) else 1)
else:
    print(g["led"], g["leaderless"])'
}

start_cluster() { # $1 = groups
  rm -rf "$OUT/data"
  java -Draftkv.node.xmx="${XMX:-1g}" -jar "$JAR" cluster --groups "$1" --base-port "$BASE" --data "$OUT/data" \
    > "$OUT/cluster-$1.log" 2>&1 &
  CLUSTER=$!
}

stop_cluster() {
  kill "$CLUSTER" 2>/dev/null || true
  wait "$CLUSTER" 2>/dev/null || true
}

# Waits until every group is led and each node leads within one of G/3; prints the seconds taken.
await_balanced() { # $1 = groups, $2 = start epoch
  local g=$1 t0=$2
  while true; do
    local ok=1 total=0
    for n in 1 2 3; do
      read -r led leaderless < <(status_of "$n")
      if [ "$leaderless" != 0 ]; then ok=0; fi
      total=$((total + led))
      if [ "$g" -ge 3 ] && { [ "$led" -lt $((g / 3)) ] || [ "$led" -gt $(((g + 2) / 3)) ]; }; then ok=0; fi
    done
    if [ "$ok" = 1 ] && [ "$total" = "$g" ]; then echo $(($(date +%s) - t0)); return; fi
    if [ $(($(date +%s) - t0)) -gt 600 ]; then echo "timeout"; return; fi
    sleep 1
  done
}

node_pids() { pgrep -f "raft-kv.*node --id .* --data $OUT/data" || true; }

cpu_ticks() { local t=0; for p in $(node_pids); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }

sent_total() { # messages node $1 sent to its peers since start
  curl -s "http://127.0.0.1:$((BASE + 2000 + $1))/metrics" | awk '/^raft_transport_messages_sent_total/ {print $2}'
}

case "${1:-scale}" in
scale)
  shift || true
  echo "| groups | SET/s | p50 | p99 | p99.9 | errors |"
  echo "|---|---|---|---|---|---|"
  for g in "${@:-1 4 16 64}"; do
    for gg in $g; do
      start_cluster "$gg"
      await_balanced "$gg" "$(date +%s)" > /dev/null
      java -jar "$JAR" bench --redis "$(redis_ports)" --clients 128 --duration 10s --value-size 100 \
        --out "$OUT/warm-$gg" > /dev/null 2>&1
      java -jar "$JAR" bench --redis "$(redis_ports)" --clients 128 --duration "$DUR" --value-size 100 \
        --out "$OUT/g$gg" > "$OUT/bench-$gg.txt" 2>&1
      stop_cluster
      python3 - "$gg" "$OUT/bench-$gg.txt" <<'PY'
import re, sys
text = open(sys.argv[2]).read()
tp = re.findall(r"throughput (\d+) ops/s", text)
lat = re.findall(r"p50 ([\d.]+)  p90 [\d.]+  p99 ([\d.]+)  p99\.9 ([\d.]+)", text)
err = re.findall(r"errors (\d+)", text)
if tp and lat:
    print("| %s | %s | %s ms | %s ms | %s ms | errors %s |" % ((sys.argv[1], tp[-1]) + lat[-1] + (err[-1] if err else "?",)))
else:
    print("| %s | no result, see %s |" % (sys.argv[1], sys.argv[2]))
PY
    done
  done
  ;;
idle)
  shift
  echo "| groups | all led and balanced after | node CPU idle (cores, 3 processes) | messages/s node 1 -> peers | heap after GC per node |"
  echo "|---|---|---|---|---|"
  for g in "$@"; do
    t0=$(date +%s)
    start_cluster "$g"
    took=$(await_balanced "$g" "$t0")
    sleep 10
    c0=$(cpu_ticks); m0=$(sent_total 1); s0=$(date +%s.%N)
    sleep 20
    c1=$(cpu_ticks); m1=$(sent_total 1); s1=$(date +%s.%N)
    heap=""
    for p in $(node_pids); do
      jcmd "$p" GC.run > /dev/null 2>&1 || true
      heap="$heap $(jcmd "$p" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | tr -d 'usedK ')K"
    done
    stop_cluster
    python3 - "$g" "$took" "$c0" "$c1" "$m0" "$m1" "$s0" "$s1" "$heap" <<'PY'
import os, sys
g, took, c0, c1, m0, m1, s0, s1 = sys.argv[1:9]
secs = float(s1) - float(s0)
hz = os.sysconf("SC_CLK_TCK")
cores = (int(c1) - int(c0)) / hz / secs
msgs = (float(m1 or 0) - float(m0 or 0)) / secs
heaps = [h for h in sys.argv[9].split() if h.endswith("K") and h[:-1].isdigit()]
heap = ", ".join("%d MiB" % (int(h[:-1]) // 1024) for h in heaps) or "?"
print("| %s | %s s | %.2f | %.0f | %s |" % (g, took, cores, msgs, heap))
PY
  done
  ;;
*)
  sed -n 2,9p "$0"; exit 2 ;;
esac
