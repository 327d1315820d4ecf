#!/usr/bin/env python3
"""Issue 15's throughput floor: SET throughput of `raft-kv cluster --groups G` for G = 1 ... 64, in ONE run.

Run from the repository root after `mvn -o package -DskipTests`:
    python3 raft-examples/groups-throughput.py [G ...]          default: 1 2 4 8 16 32 64
Environment: BASE (ports, default 24380), CLIENTS (in flight, default 128), WARM (seconds of warm-up load per
G, default 20), DUR (measured seconds per G, default 20), KEYS (random key space, default 100000), XMX (node
heap, default 1g), OUT (default target/groups-throughput), STORAGE (the nodes' --storage, default
rocksdb; memory takes the disk out of the comparison), PROFILE (a directory: record each node process
with JFR over the measured run), ASPROF (the path of async-profiler's libasyncProfiler.so: collapsed stacks of each
node process over the measured run, in OUT).

For each G it starts 3 node processes (RocksDB with fsync unless STORAGE says otherwise) with `raft-kv cluster --groups G`, waits until
every group has a leader and the leaders are balanced (G >= 3), warms the JIT up with the same load, then runs
`raft-kv bench` (SET of 100-byte values over KEYS random keys, CLIENTS connections with one request each in
flight) for DUR seconds. The clients route each key to its group's leader (`bench --route-by-key`, as a
sharding-aware client such as a Redis Cluster client does; leaders read once from INFO raft); ROUTE=0
spreads them over the three nodes instead, which forward what they do not lead. Printed per G: ops/s,
p50/p99, the node processes' CPU per operation, Raft messages sent per operation (the 3 nodes'
raft_transport_messages_sent_total), the log engines' fsyncs per second and synced writes per fsync (sum
over the 3 nodes; /metrics), and the load average; then a markdown table. Kills only the processes it started.
"""
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("groups_floors", os.path.join(here, "groups-floors.py"))
floors = importlib.util.module_from_spec(spec)
spec.loader.exec_module(floors)

JAR = floors.JAR
BASE = floors.BASE
CLIENTS = int(os.environ.get("CLIENTS", "128"))
WARM = int(os.environ.get("WARM", "20"))
DUR = int(os.environ.get("DUR", "20"))
KEYS = int(os.environ.get("KEYS", "100000"))
XMX = os.environ.get("XMX", "1g")
OUT = os.environ.get("OUT", "target/groups-throughput")
ROUTE = os.environ.get("ROUTE", "1") != "0"
STORAGE = os.environ.get("STORAGE", "rocksdb")
PROFILE = os.environ.get("PROFILE")
ASPROF = os.environ.get("ASPROF")
ASPROF_EVENT = os.environ.get("ASPROF_EVENT", "itimer,interval=1ms")


def metric(n, name):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % (BASE + 2000 + n), timeout=30) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " ") or line.startswith(name + "{"):
                    return float(line.split()[-1])
    except Exception:
        pass
    return 0.0


def messages():
    return sum(metric(n, "raft_transport_messages_sent_total") for n in (1, 2, 3))


def syncs():
    return (sum(metric(n, "raftkv_log_syncs_total") for n in (1, 2, 3)),
            sum(metric(n, "raftkv_log_synced_writes_total") for n in (1, 2, 3)))


def leader_of_one():
    """The node leading the only group, or None."""
    for n in (1, 2, 3):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/status" % (BASE + 2000 + n), timeout=10) as r:
                if '"role":"leader"' in r.read().decode().replace(" ", ""):
                    return n
        except Exception:
            pass
    return None


def bench(ports, seconds, label):
    log = os.path.join(OUT, label + ".log")
    with open(log, "w") as f:
        subprocess.run(["java", "-jar", JAR, "bench", "--redis", ",".join("127.0.0.1:%d" % p for p in ports),
                        "--clients", str(CLIENTS), "--duration", "%ds" % seconds, "--value-size", "100",
                        "--keys", str(KEYS), "--out", os.path.join(OUT, label)] + (["--route-by-key"] if ROUTE else []),
                       stdout=f, stderr=subprocess.STDOUT)
    text = open(log).read().replace("\r", "\n")
    res = {}
    for line in text.splitlines():
        parts = line.split()
        if line.startswith("throughput"):
            res["ops"] = float(parts[1].replace(",", ""))
        elif line.startswith("latency"):
            for i, w in enumerate(parts):
                if w.rstrip(":") in ("p50", "p99") and i + 1 < len(parts):
                    res[w.rstrip(":")] = parts[i + 1]
                elif w.startswith("p50=") or w.startswith("p99="):
                    res[w[:3]] = w[4:]
        elif line.startswith("requests"):
            res["requests"] = int(parts[1].replace(",", ""))
    res["raw"] = [l for l in text.splitlines() if l.startswith(("throughput", "latency", "requests", "errors"))]
    return res


def run(g):
    data = os.path.join(OUT, "data-%d" % g)
    subprocess.run(["rm", "-rf", data])
    log = open(os.path.join(OUT, "cluster-%d.log" % g), "w")
    t0 = time.time()
    cluster = subprocess.Popen(["java", "-Draftkv.node.xmx=" + XMX, "-jar", JAR, "cluster", "--groups", str(g),
                                "--base-port", str(BASE), "--data", data, "--storage", STORAGE], stdout=log, stderr=subprocess.STDOUT)
    row = {"g": g}
    try:
        if g == 1:
            leader = None
            while leader is None and time.time() - t0 < 120:
                time.sleep(1)
                leader = leader_of_one()
            if leader is None:
                print("groups=1: no leader within 120 s", flush=True)
                return row
            ports = [BASE + 1, BASE + 2, BASE + 3] if ROUTE else [BASE + leader]
        else:
            nodes = [1, 2, 3]
            if floors.wait("groups=%d: every group has a leader" % g, floors.elected(g), nodes, t0, 300) is None:
                return row
            floors.wait("groups=%d: leaders balanced" % g, floors.balanced(g), nodes, t0, 300)
            ports = [BASE + 1, BASE + 2, BASE + 3]
        pids = floors.children(cluster.pid)
        bench(ports, WARM, "warm-%d" % g)
        if ASPROF:  # async-profiler (its libasyncProfiler.so) over the measured run, as collapsed stacks
            for p in pids:
                subprocess.run(["jcmd", str(p), "JVMTI.agent_load", ASPROF, "\"start,event=%s\"" % ASPROF_EVENT],
                               stdout=subprocess.DEVNULL)
        if PROFILE:  # a JFR recording of each node process over the measured run
            for p in pids:
                subprocess.run(["jcmd", str(p), "JFR.start", "settings=profile", "duration=%ds" % DUR,
                                "filename=%s/g%d-pid%d.jfr" % (PROFILE, g, p)], stdout=subprocess.DEVNULL)
        s0, w0 = syncs()
        m0 = messages()
        c0, t1 = floors.cpu_ticks(pids), time.time()
        res = bench(ports, DUR, "set-%d" % g)
        c1, t2 = floors.cpu_ticks(pids), time.time()
        s1, w1 = syncs()
        m1 = messages()
        if ASPROF:  # stopped after the readings, so writing the stacks costs the measured window nothing
            for p in pids:
                subprocess.run(["jcmd", str(p), "JVMTI.agent_load", ASPROF,
                                "\"stop,collapsed,file=%s/g%d-pid%d.collapsed\"" % (os.path.abspath(OUT), g, p)], stdout=subprocess.DEVNULL)
        row.update(res)
        row["load"] = floors.load()
        if res.get("requests"):
            row["cpu_us"] = (c1 - c0) / floors.HZ * 1e6 / res["requests"]
            row["msgs"] = (m1 - m0) / res["requests"]
        row["fsyncs"] = (s1 - s0) / (t2 - t1)
        row["per_fsync"] = (w1 - w0) / (s1 - s0) if s1 > s0 else float("nan")
        print("groups=%d: %s; node cpu/op %.0f us; %.2f Raft messages/op; %.0f fsyncs/s (3 nodes), %.1f synced writes"
              " per fsync; load %s" % (g, "; ".join(res["raw"]), row.get("cpu_us", float("nan")),
                                       row.get("msgs", float("nan")), row["fsyncs"], row["per_fsync"], row["load"]),
              flush=True)
    finally:
        floors.stop(cluster, log)
        subprocess.run(["rm", "-rf", data])
    return row


if __name__ == "__main__":
    groups = [int(a) for a in sys.argv[1:]] or [1, 2, 4, 8, 16, 32, 64]
    os.makedirs(OUT, exist_ok=True)
    print("# groups-throughput %s, %d cores, load %s at start, %d in flight, %d keys, warm %d s, measured %d s, %s"
          % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), os.cpu_count(), floors.load(), CLIENTS, KEYS,
             WARM, DUR, "routed by key to the leaders" if ROUTE else "clients spread over the nodes, which forward"),
          flush=True)
    rows = [run(g) for g in groups]
    print()
    print("| groups | SET ops/s | p50 ms | p99 ms | node CPU/op | Raft msgs/op | fsyncs/s (3 nodes) | synced writes/fsync"
          " | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "ops" not in r:
            print("| %d | no result | | | | | | | |" % r["g"])
            continue
        print("| %d | %.0f | %s | %s | %.0f us | %.2f | %.0f | %.1f | %s |" % (
            r["g"], r["ops"], r.get("p50", "?"), r.get("p99", "?"), r.get("cpu_us", float("nan")),
            r.get("msgs", float("nan")), r["fsyncs"], r["per_fsync"], r["load"]))
