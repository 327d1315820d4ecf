#!/usr/bin/env python3
"""Membership changes over every group of `raft-kv cluster --groups G` (3 node processes, RocksDB with fsync).

Run from the repository root after `mvn -o package -DskipTests`:
    python3 raft-examples/groups-members.py G [G...]      e.g. 16 256 1000
Environment: BASE (ports, default 24380), XMX (node heap, default 1g), OUT (default target/groups-members),
PARALLELISM (groups changed at once, default: the node's, 8), KEYS (keys written before node 4 joins,
default 1000).

For each G: starts the cluster, waits until the leaders are balanced and every group is quiesced, writes
KEYS keys, starts node 4 with --join --groups G (same flags as node 1 otherwise) and times `POST /members`
making it a voter of every group (learner, caught up, promoted), then until the leaders are balanced over
the 4 nodes (G/4 each); repeats the request (idempotent: nothing to do); times `DELETE /members/4` (node
4 leads G/4 groups: each hands its leadership off once the removal is applied) and the rebalancing over
nodes 1-3. Prints each answer's summary and the load average at each step (the machine may be shared).
Kills only the processes it started.
"""
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("groups_floors", os.path.join(here, "groups-floors.py"))
floors = importlib.util.module_from_spec(spec)
spec.loader.exec_module(floors)

JAR = floors.JAR
BASE = floors.BASE
XMX = os.environ.get("XMX", "1g")
OUT = os.environ.get("OUT", "target/groups-members")
KEYS = int(os.environ.get("KEYS", "1000"))


def admin(n, method, path, body=None):
    """(status, parsed JSON answer) of node n's admin API."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (BASE + 2000 + n, path), data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=900) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def change(what, n, method, path, body=None):
    t = time.time()
    status, answer = admin(n, method, path, body)
    took = time.time() - t
    each = answer.get("each", [])
    attempts = [g.get("attempts", 0) for g in each]
    print("  %-44s %7.1f s   (load %s) HTTP %d, attempts per group max %s, total %s" % (
        what, took, floors.load(), status, max(attempts, default=0), sum(attempts)), flush=True)
    print("    " + str(answer.get("summary", answer.get("error"))), flush=True)
    return status


def write_keys(n):
    """KEYS SETs through node n's RESP port, pipelined."""
    s = socket.create_connection(("127.0.0.1", BASE + n), timeout=60)
    buf = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nx\r\n" % (len(k), k)
                   for k in (b"key:%d" % i for i in range(KEYS)))
    s.sendall(buf)
    got = b""
    while got.count(b"\r\n") < KEYS:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    errors = {}
    for line in got.split(b"\r\n"):
        if line.startswith(b"-"):
            errors[line[:40]] = errors.get(line[:40], 0) + 1
    return got.count(b"+OK"), errors


def balanced_over(g, nodes):
    lo, hi = g // len(nodes), (g + len(nodes) - 1) // len(nodes)
    return lambda s: all(lo <= v["led"] <= hi for v in s.values()) and all(v["leaderless"] == 0 for v in s.values())


def run(g):
    os.makedirs(OUT, exist_ok=True)
    data = os.path.join(OUT, "data-%d" % g)
    subprocess.run(["rm", "-rf", data])
    log = open(os.path.join(OUT, "cluster-%d.log" % g), "w")
    print("groups=%d (load %s at start)" % (g, floors.load()), flush=True)
    t0 = time.time()
    cluster = subprocess.Popen(
        ["java", "-Draftkv.node.xmx=" + XMX, "-jar", JAR, "cluster", "--groups", str(g), "--base-port", str(BASE),
         "--data", data], stdout=log, stderr=subprocess.STDOUT)
    joiner = None
    try:
        nodes = [1, 2, 3]
        if floors.wait("leaders balanced (G/3 each)", floors.balanced(g), nodes, t0, 600) is None:
            return
        floors.wait("every group quiesced on every node", floors.quiesced(g), nodes, t0, 600)
        print("  wrote %d keys through node 1 (errors: %s)" % write_keys(1), flush=True)
        cmd = None
        for p in floors.children(cluster.pid):
            c = [a for a in open("/proc/%d/cmdline" % p).read().split("\0") if a]
            if "--id" in c and c[c.index("--id") + 1] == "1":
                cmd = c
        ports = {"--id": "4", "--raft": "127.0.0.1:%d" % (BASE + 1004), "--redis": "127.0.0.1:%d" % (BASE + 4),
                 "--http": "127.0.0.1:%d" % (BASE + 2004), "--data": os.path.join(data, "n4")}
        for flag, value in ports.items():
            cmd[cmd.index(flag) + 1] = value
        cmd[cmd.index("--peers") + 1] += ",4=127.0.0.1:%d" % (BASE + 1004)
        cmd += ["--join"] + ([] if "--groups" in cmd else ["--groups", str(g)])
        joiner = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        floors.wait("node 4 up with its groups, none led", lambda s: s[4]["count"] == g and s[4]["led"] == 0, [4],
                    time.time(), 300)
        body = {"id": 4, "address": "127.0.0.1:%d" % (BASE + 1004), "role": "voter", "timeoutMillis": 600000}
        if "PARALLELISM" in os.environ:
            body["parallelism"] = int(os.environ["PARALLELISM"])
        t1 = time.time()
        if change("POST /members: node 4 a voter everywhere", 1, "POST", "/members", body) != 200:
            return
        floors.wait("leaders balanced over 4 nodes (G/4 each)", balanced_over(g, [1, 2, 3, 4]), [1, 2, 3, 4], t1, 600)
        change("the same request again", 2, "POST", "/members", body)
        t2 = time.time()
        removal = {"timeoutMillis": 600000}
        if "PARALLELISM" in os.environ:
            removal["parallelism"] = int(os.environ["PARALLELISM"])
        change("DELETE /members/4 (it leads G/4 groups)", 1, "DELETE", "/members/4", removal)
        floors.wait("leaders balanced over nodes 1-3 again", floors.balanced(g), nodes, t2, 600)
        change("the same removal again", 3, "DELETE", "/members/4", removal)
    finally:
        floors.stop(cluster, log, [joiner] if joiner else [])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for a in sys.argv[1:]:
        run(int(a))
