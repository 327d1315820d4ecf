#!/usr/bin/env python3
"""Issue 15's many-group floors on `raft-kv cluster --groups G` (3 node processes, RocksDB with fsync).

Run from the repository root after `mvn -o package -DskipTests`:
    python3 raft-examples/groups-floors.py G [G...]      e.g. 100 1000 10000
Environment: BASE (ports, default 24380), XMX (node heap, default 1g), OUT (default target/groups-floors),
SETTLE (seconds between "all quiesced" and the idle measurement, default 20), IDLE (seconds of idle
measurement, default 20), KILL=0 to skip the kill/restart part, TURNS=0 to let every replica campaign when
its timeout ends (no election turns: -Draftkv.noElectionTurns), ELECTIONS=N for N concurrent campaigns.

For each G it prints, with the load average at each step (the machine may be shared: say so with the
figures): seconds from start until every group has a leader, until leaders are balanced (each node leads
G/3), until every group is quiesced on every node; then over IDLE seconds the node processes' CPU (cores),
the whole machine's CPU (busy share of all cores, other processes included), messages node 1 sent to its
two peers per second (per peer: half), heap after a full GC per node; then it SIGKILLs node 1, times until
every group has a leader on nodes 2 and 3, restarts node 1 with its own command line and times until the
leaders are balanced again. Polling /status (every group's status) costs the nodes a little CPU; the idle
window does not poll.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

JAR = os.environ.get("JAR", "raft-examples/target/raft-kv.jar")
BASE = int(os.environ.get("BASE", "24380"))
XMX = os.environ.get("XMX", "1g")
OUT = os.environ.get("OUT", "target/groups-floors")
IDLE = float(os.environ.get("IDLE", "20"))
SETTLE = float(os.environ.get("SETTLE", "20"))
KILL = os.environ.get("KILL", "1") != "0"
TURNS = os.environ.get("TURNS", "1") != "0"
HZ = os.sysconf("SC_CLK_TCK")


def load():
    return open("/proc/loadavg").read().split()[0]


def status(n):
    """The groups summary of node n's /status, or None."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/status" % (BASE + 2000 + n), timeout=30) as r:
            g = json.load(r).get("groups")
            if g is None or "count" not in g:
                return None
            return g
    except Exception:
        return None


def sent(n):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % (BASE + 2000 + n), timeout=30) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("raft_transport_messages_sent_total"):
                    return float(line.split()[-1])
    except Exception:
        pass
    return None


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def cpu_ticks(pids):
    t = 0
    for p in pids:
        try:
            f = open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()
            t += int(f[11]) + int(f[12])
        except OSError:
            pass
    return t


def machine():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = f[3] + f[4]
    return sum(f), idle


def heap_mib(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) // 1024 if m else None


def wait(what, pred, nodes, t0, limit):
    """Polls the nodes' summaries until pred(summaries) holds; returns the seconds since t0, or None."""
    while time.time() - t0 < limit:
        s = {n: status(n) for n in nodes}
        if all(v is not None for v in s.values()) and pred(s):
            took = time.time() - t0
            print("  %-44s %7.1f s   (load %s)" % (what, took, load()), flush=True)
            return took
        time.sleep(1)
    print("  %-44s NOT within %d s (load %s)" % (what, limit, load()), flush=True)
    return None


def elected(g):
    return lambda s: all(v["leaderless"] == 0 for v in s.values()) and sum(v["led"] for v in s.values()) == g


def balanced(g):
    lo, hi = g // 3, (g + 2) // 3
    return lambda s: all(lo <= v["led"] <= hi for v in s.values()) and all(v["leaderless"] == 0 for v in s.values())


def quiesced(g):
    return lambda s: all(v.get("quiesced", 0) == g for v in s.values())


def stop(cluster, log, others=()):
    """Stops the processes this script started (others first: a node started on its own), then closes the log."""
    for p in others:
        p.terminate()
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()
    cluster.terminate()
    try:
        cluster.wait(60)
    except subprocess.TimeoutExpired:
        cluster.kill()
    log.close()


def run(g):
    os.makedirs(OUT, exist_ok=True)
    data = os.path.join(OUT, "data-%d" % g)
    subprocess.run(["rm", "-rf", data])
    log = open(os.path.join(OUT, "cluster-%d.log" % g), "w")
    print("groups=%d%s (load %s at start)" % (g, "" if TURNS else ", no election turns", load()), flush=True)
    t0 = time.time()
    cluster = subprocess.Popen(
        ["java", "-Draftkv.node.xmx=" + XMX] + (["-Draftkv.maxElections=" + os.environ["ELECTIONS"]] if "ELECTIONS" in os.environ else [])
        + ([] if TURNS else ["-Draftkv.noElectionTurns=true"]) + ["-jar", JAR, "cluster", "--groups", str(g), "--base-port", str(BASE),
         "--data", data], stdout=log, stderr=subprocess.STDOUT)
    restarted = None
    try:
        nodes = [1, 2, 3]
        limit = 600
        wait("every node up with its groups created", lambda s: all(v["count"] == g for v in s.values()), nodes, t0,
             limit)
        if wait("every group has a leader", elected(g), nodes, t0, limit) is None:
            return
        wait("leaders balanced (G/3 each)", balanced(g), nodes, t0, limit)
        wait("every group quiesced on every node", quiesced(g), nodes, t0, limit)
        pids = children(cluster.pid)
        time.sleep(SETTLE)  # the JIT compilers and the last transfers settle
        m0, c0, (all0, idle0), s0 = sent(1), cpu_ticks(pids), machine(), time.time()
        time.sleep(IDLE)
        m1, c1, (all1, idle1), s1 = sent(1), cpu_ticks(pids), machine(), time.time()
        secs = s1 - s0
        busy = 1 - (idle1 - idle0) / max(1, all1 - all0)
        print("  idle %.0f s: node processes %.3f cores; whole machine %.0f%% busy (all processes); load %s"
              % (secs, (c1 - c0) / HZ / secs, 100 * busy, load()), flush=True)
        if m0 is not None and m1 is not None:
            print("  node 1 -> its 2 peers: %.1f messages/s (%.1f per peer)" % ((m1 - m0) / secs, (m1 - m0) / secs / 2))
        print("  heap after GC: %s MiB" % ", ".join(str(heap_mib(p)) for p in pids), flush=True)
        if not KILL:
            return
        before = status(1)
        victim = None
        for p in pids:
            cmd = open("/proc/%d/cmdline" % p).read().split("\0")
            if "--id" in cmd and cmd[cmd.index("--id") + 1] == "1":
                victim, victim_cmd = p, [c for c in cmd if c]
        led = before["led"] if before else "?"
        t1 = time.time()
        os.kill(victim, signal.SIGKILL)
        print("  SIGKILL node 1 (pid %d, leading %s groups)" % (victim, led), flush=True)
        wait("every group has a leader on nodes 2 and 3", elected(g), [2, 3], t1, 300)
        t2 = time.time()
        restarted = subprocess.Popen(victim_cmd, stdout=log, stderr=subprocess.STDOUT)
        print("  restarted node 1 (pid %d)" % restarted.pid, flush=True)
        wait("node 1 back, leaders balanced again", balanced(g), nodes, t2, 600)
    finally:
        stop(cluster, log, [restarted] if restarted else [])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for a in sys.argv[1:]:
        run(int(a))
