#!/usr/bin/env python3
"""Cinnabar vs Redis: throughput, latency, CPU per operation, memory, latency under stress.

Started by bench/run.sh (which installs redis and builds Cinnabar in release). Runs a
real redis-server and Cinnabar side by side on loopback ports, both with persistence
off, and compares them:

- throughput: redis-benchmark, one test at a time, ALTERNATING between the servers
  (and swapping which goes first every round) so that drift of a shared machine hits
  both alike; medians over rounds of requests/s and p50/p99 latency, and the server
  CPU time per million operations (summed over rounds);
- memory: bytes per key (RSS and INFO used_memory) after loading the same data set
  into a fresh server, with redis-cli --pipe;
- latency under stress: the worst round trip seen by a probe client while millions of
  keys are inserted (table growth) and while a huge collection is deleted.

Commands Cinnabar does not implement yet (unknown-command reply) show as n/a.
Only loopback addresses are used; every loop is bounded in count and time.
Python 3.11 standard library only.
"""

import argparse
import datetime
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- RESP client

class RespError(str):
    """An error reply (returned, not raised: probes inspect it)."""


def encode(args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class Resp:
    """A minimal blocking RESP2 client, enough for setup, INFO and probes."""

    def __init__(self, port, timeout=120.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.f = self.sock.makefile("rb")

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("connection closed")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RespError(body.decode(errors="replace"))
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(body)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(f"unexpected reply {line!r}")

    def close(self):
        self.f.close()
        self.sock.close()


# ---------------------------------------------------------------- servers

class Server:
    """A server process we start, watch (CPU, RSS) and stop."""

    def __init__(self, label, argv, port, workdir):
        self.label, self.argv, self.port, self.workdir = label, argv, port, workdir
        self.proc = None

    def start(self):
        assert_port_free(self.port)
        log = open(Path(self.workdir) / f"{self.label}.log", "ab")
        self.proc = subprocess.Popen(self.argv, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"{self.label} exited at start-up; see {log.name}")
            try:
                c = Resp(self.port, timeout=2)
                ok = c.call("PING") == "PONG"
                c.close()
                if ok:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        sys.exit(f"{self.label} did not answer PING on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def cpu_seconds(self):
        """User+system CPU time of the whole process. Per-thread schedstat gives
        nanoseconds; /proc/PID/stat's utime+stime (clock ticks) is the fallback."""
        pid = self.proc.pid
        try:
            total = 0
            for t in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[0])
            return total / 1e9
        except (OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def used_memory(self):
        """INFO memory used_memory, or None if the server does not report it."""
        c = Resp(self.port)
        try:
            info = c.call("INFO", "memory")
        finally:
            c.close()
        if not isinstance(info, bytes):
            return None
        for line in info.decode(errors="replace").splitlines():
            if line.startswith("used_memory:"):
                return int(line.split(":", 1)[1])
        return None

    def call(self, *args):
        c = Resp(self.port)
        try:
            return c.call(*args)
        finally:
            c.close()


def assert_port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, port))
    except OSError:
        sys.exit(f"port {port} is in use; choose others with --port-base")
    finally:
        s.close()


def make_servers(args, workdir):
    common = ["--port", None, "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", workdir]

    def argv(binary, port, extra):
        a = [binary] + [str(port) if x is None else x for x in common] + extra
        return a

    ref = Server("redis", argv("redis-server", args.port_base, ["--daemonize", "no"]), args.port_base, workdir)
    threads = ["--io-threads", str(args.threads)] if args.threads else []
    cin = Server("cinnabar", argv(args.binary, args.port_base + 1, threads), args.port_base + 1, workdir)
    return ref, cin


def is_unknown(reply):
    return isinstance(reply, RespError) and reply.startswith("ERR unknown command")


# ---------------------------------------------------------------- throughput

# (name, redis-benchmark test arguments, probe command, weight of -n, setup commands)
# Probes tell whether a server implements the command; setup runs before each run.
TESTS = [
    ("SET", ["-t", "set"], ["SET", "__probe", "1"], 1, []),
    ("GET", ["-t", "get"], ["GET", "__probe"], 1, []),
    ("INCR", ["-t", "incr"], ["INCR", "__probe:n"], 1, []),
    ("MSET", ["-t", "mset"], ["MSET", "__probe", "1"], 0.2, []),
    ("LPUSH", ["-t", "lpush"], ["LPUSH", "__probe:l", "a"], 1, []),
    ("RPUSH", ["-t", "rpush"], ["RPUSH", "__probe:l", "a"], 1, []),
    ("LPOP", ["-t", "lpop"], ["LPOP", "__probe:l"], 1, []),
    ("RPOP", ["-t", "rpop"], ["RPOP", "__probe:l"], 1, []),
    ("LRANGE_100", ["LRANGE", "mylist", "0", "99"], ["LRANGE", "__probe:l", "0", "1"], 0.2,
     [["RPUSH", "mylist"] + ["xxx"] * 100]),
    ("SADD", ["-t", "sadd"], ["SADD", "__probe:s", "a"], 1, []),
    ("SPOP", ["-t", "spop"], ["SPOP", "__probe:s"], 1, []),
    ("HSET", ["-t", "hset"], ["HSET", "__probe:h", "f", "v"], 1, []),
    ("ZADD", ["-t", "zadd"], ["ZADD", "__probe:z", "1", "a"], 1, []),
    ("ZRANGE_100", ["ZRANGE", "myzset", "0", "99"], ["ZRANGE", "__probe:z", "0", "1"], 0.3, []),
    ("ZRANK", ["ZRANK", "myzset", "element:__rand_int__"], ["ZRANK", "__probe:z", "a"], 1, []),
]


def supported(server, probe):
    """Whether `server` implements the probe's command (any reply but unknown-command)."""
    try:
        reply = server.call(*probe)
        server.call("DEL", probe[1])
    except (OSError, ConnectionError):
        return False
    return not is_unknown(reply)


def run_benchmark(server, test, pipeline, n, clients):
    """One redis-benchmark run; returns (rps, p50 ms, p99 ms, cpu seconds) or None."""
    name, targs, _, _, setup = test
    for cmd in setup:
        server.call(*cmd)
    argv = ["redis-benchmark", "-h", HOST, "-p", str(server.port), "-c", str(clients), "-n", str(n),
            "-P", str(pipeline), "-r", "100000", "--csv"] + targs
    cpu0 = server.cpu_seconds()
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout
    except subprocess.TimeoutExpired:
        return None
    cpu = server.cpu_seconds() - cpu0
    rows = [r for r in out.splitlines() if r.startswith('"') and not r.startswith('"test"')]
    if targs[0] == "-t":
        rows = [r for r in rows if r.split('"')[1].split(" ")[0] == name]
    if not rows:
        return None
    cols = [c.strip('"') for c in rows[-1].split('","')]
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",...
    return float(cols[1]), float(cols[4]), float(cols[6]), cpu


def throughput(args, ref, cin, log):
    tests = [t for t in TESTS if not args.tests or t[0] in args.tests]
    pipelines = args.pipelines
    base_n = {1: args.n_p1, 16: args.n_p16}
    avail = {t[0]: supported(cin, t[2]) for t in tests}
    ref_avail = {t[0]: supported(ref, t[2]) for t in tests}
    results = {}  # (test, P, label) -> list of (rps, p50, p99, cpu, n)
    for rnd in range(args.rounds):
        for srv in (ref, cin):
            srv.call("FLUSHALL")
        order = (ref, cin) if rnd % 2 == 0 else (cin, ref)
        for test in tests:
            for p in pipelines:
                n = max(1000, int(base_n.get(p, args.n_p16) * test[3]))
                for srv in order:
                    ok = (avail if srv is cin else ref_avail)[test[0]]
                    if not ok:
                        continue
                    r = run_benchmark(srv, test, p, n, args.clients)
                    if r:
                        results.setdefault((test[0], p, srv.label), []).append(r + (n,))
                        log(f"  round {rnd + 1} {test[0]:<10} -P {p:<2} {srv.label:<8} {r[0]:>11,.0f} rps  "
                            f"p50 {r[1]:.3f} ms  p99 {r[2]:.3f} ms  cpu {r[3]:.2f} s")
                    else:
                        log(f"  round {rnd + 1} {test[0]:<10} -P {p:<2} {srv.label:<8} failed")
    rows = []
    for test in tests:
        for p in pipelines:
            rows.append(summarise(test[0], p, results.get((test[0], p, "redis")),
                                  results.get((test[0], p, "cinnabar"))))
    return rows


def summarise(name, p, ref_runs, cin_runs):
    def agg(runs):
        if not runs:
            return None
        med = lambda i: statistics.median(r[i] for r in runs)  # noqa: E731
        cpu_per_mop = sum(r[3] for r in runs) / (sum(r[4] for r in runs) / 1e6)
        return {"rps": med(0), "p50": med(1), "p99": med(2), "cpu": cpu_per_mop}

    return {"test": name, "P": p, "ref": agg(ref_runs), "cin": agg(cin_runs)}


def throughput_table(rows):
    out = ["| test | -P | Redis req/s | Cinnabar req/s | ratio | Redis p50/p99 ms | Cinnabar p50/p99 ms "
           "| Redis CPU s/Mop | Cinnabar CPU s/Mop | CPU ratio |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a, b = r["ref"], r["cin"]
        na = "n/a"
        out.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["test"], r["P"],
            f"{a['rps']:,.0f}" if a else na,
            f"{b['rps']:,.0f}" if b else na,
            f"**{b['rps'] / a['rps']:.2f}x**" if a and b else na,
            f"{a['p50']:.3f} / {a['p99']:.3f}" if a else na,
            f"{b['p50']:.3f} / {b['p99']:.3f}" if b else na,
            f"{a['cpu']:.2f}" if a else na,
            f"{b['cpu']:.2f}" if b else na,
            f"{b['cpu'] / a['cpu']:.2f}x" if a and b and a["cpu"] > 0 else na))
    return "\n".join(out)


# ---------------------------------------------------------------- data sets

def cmd_bytes(*parts):
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def write_commands(path, commands):
    """Writes RESP commands (an iterable of bytes) to `path` in large chunks."""
    with open(path, "wb") as f:
        chunk = []
        for c in commands:
            chunk.append(c)
            if len(chunk) >= 10000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))


def gen_strings(n, ttl):
    for i in range(n):
        k, v = b"key:%012d" % i, b"v%015d" % i  # 16-byte keys and non-integer values
        if ttl:
            yield b"*5\r\n$3\r\nSET\r\n$16\r\n%s\r\n$16\r\n%s\r\n$2\r\nEX\r\n$6\r\n100000\r\n" % (k, v)
        else:
            yield b"*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$16\r\n%s\r\n" % (k, v)


def gen_small(kind, n, fields):
    for i in range(n):
        key = b"%s:%010d" % (kind.lower(), i)
        if kind == b"HSET":
            parts = [p for f in range(fields) for p in (b"field:%d" % f, b"value:%08d" % f)]
        elif kind == b"SADD":
            parts = [b"member:%08d" % f for f in range(fields)]
        else:
            parts = [p for f in range(fields) for p in (b"%d" % f, b"member:%08d" % f)]
        yield cmd_bytes(kind, key, *parts)


def gen_big(kind, n, batch=1000):
    """One collection `big` of n elements, in commands of `batch` elements."""
    for start in range(0, n, batch):
        idx = range(start, min(n, start + batch))
        if kind == b"HSET":
            parts = [p for i in idx for p in (b"field:%010d" % i, b"v%09d" % i)]
        elif kind == b"ZADD":
            parts = [p for i in idx for p in (b"%d" % i, b"member:%010d" % i)]
        else:
            parts = [b"member:%010d" % i for i in idx]
        yield cmd_bytes(kind, b"big", *parts)


class DataSets:
    """RESP command files, generated once per run and loaded into both servers."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.made = {}

    def file(self, name, gen):
        if name not in self.made:
            path = self.dir / f"{name}.resp"
            write_commands(path, gen())
            self.made[name] = path
        return self.made[name]


def load(server, path, timeout=600):
    """Loads a command file with redis-cli --pipe; returns (errors, seconds)."""
    t0 = time.monotonic()
    with open(path, "rb") as f:
        r = subprocess.run(["redis-cli", "-h", HOST, "-p", str(server.port), "--pipe"], stdin=f,
                           capture_output=True, text=True, timeout=timeout)
    secs = time.monotonic() - t0
    errors = None
    for line in r.stdout.splitlines():
        if line.startswith("errors:"):
            errors = int(line.split(",")[0].split(":")[1])
    if errors is None:
        errors = -1
    return errors, secs


# ---------------------------------------------------------------- memory

def memory(args, ref, cin, data, log):
    s = args.scale
    M, K = int(1_000_000 * s), int(100_000 * s)
    sets = [
        (f"{M:,} strings, 16 B values", "key", M, ["SET", "k", "v"], lambda: gen_strings(M, False)),
        (f"{M:,} strings with TTL", "key", M, ["SET", "k", "v"], lambda: gen_strings(M, True)),
        (f"{K:,} hashes x 10 fields", "key", K, ["HSET", "k", "f", "v"], lambda: gen_small(b"HSET", K, 10)),
        (f"{K:,} sets x 10 members", "key", K, ["SADD", "k", "m"], lambda: gen_small(b"SADD", K, 10)),
        (f"{K:,} zsets x 10 members", "key", K, ["ZADD", "k", "1", "m"], lambda: gen_small(b"ZADD", K, 10)),
        (f"1 list of {M:,}", "element", M, ["RPUSH", "k", "e"], lambda: gen_big(b"RPUSH", M)),
        (f"1 hash of {M:,}", "element", M, ["HSET", "k", "f", "v"], lambda: gen_big(b"HSET", M)),
        (f"1 set of {M:,}", "element", M, ["SADD", "k", "m"], lambda: gen_big(b"SADD", M)),
        (f"1 zset of {M:,}", "element", M, ["ZADD", "k", "1", "m"], lambda: gen_big(b"ZADD", M)),
    ]
    rows = []
    for title, unit, count, probe, gen in sets:
        row = {"title": title, "unit": unit}
        path = None
        for srv in (ref, cin):
            srv.start()
            try:
                if not supported(srv, probe):
                    row[srv.label] = None
                    continue
                if path is None:
                    path = data.file(title.replace(" ", "_").replace(",", ""), gen)
                time.sleep(0.2)
                rss0, used0 = srv.rss(), srv.used_memory()
                errors, secs = load(srv, path)
                time.sleep(0.3)
                rss1, used1 = srv.rss(), srv.used_memory()
                row[srv.label] = {
                    "rss": (rss1 - rss0) / count,
                    "used": (used1 - used0) / count if used0 is not None and used1 is not None else None,
                    "errors": errors,
                }
                log(f"  memory {title:<28} {srv.label:<8} rss {(rss1 - rss0) / count:7.1f} B/{unit}"
                    f"  load {secs:.1f} s  errors {errors}")
            finally:
                srv.stop()
        rows.append(row)
    return rows


def memory_table(rows):
    out = ["| data set | per | Redis RSS B | Cinnabar RSS B | RSS ratio | Redis used_memory B "
           "| Cinnabar used_memory B | used ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a, b = r.get("redis"), r.get("cinnabar")
        na = "n/a"

        def ratio(k):
            return f"**{b[k] / a[k]:.2f}x**" if a and b and a[k] and b[k] is not None else na

        def err(x):
            return " (errors!)" if x and x["errors"] else ""

        out.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["title"], r["unit"],
            f"{a['rss']:.1f}{err(a)}" if a else na, f"{b['rss']:.1f}{err(b)}" if b else na, ratio("rss"),
            f"{a['used']:.1f}" if a and a["used"] is not None else na,
            f"{b['used']:.1f}" if b and b["used"] is not None else na, ratio("used")))
    return "\n".join(out)


# ---------------------------------------------------------------- latency under stress

class Probe(threading.Thread):
    """Sends PING and GET alternately, one at a time, about 1000 a second, and records
    each round trip. Stops when told, after `limit_s` seconds or `max_count` probes."""

    def __init__(self, port, limit_s, max_count=2_000_000):
        super().__init__(daemon=True)
        self.port, self.limit_s, self.max_count = port, limit_s, max_count
        self.stop_flag = threading.Event()
        self.lat = []

    def run(self):
        s = socket.create_connection((HOST, self.port), timeout=self.limit_s)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reqs = [(encode(["PING"]), b"+PONG\r\n"), (encode(["GET", "__probe"]), b"$-1\r\n")]
        deadline = time.monotonic() + self.limit_s
        i = 0
        try:
            while not self.stop_flag.is_set() and i < self.max_count and time.monotonic() < deadline:
                req, want = reqs[i % 2]
                t0 = time.perf_counter()
                s.sendall(req)
                got = b""
                while len(got) < len(want):
                    part = s.recv(len(want) - len(got))
                    if not part:
                        return
                    got += part
                self.lat.append(time.perf_counter() - t0)
                i += 1
                time.sleep(0.001)
        except OSError:
            pass
        finally:
            s.close()

    def summary(self):
        if not self.lat:
            return None
        lat = sorted(self.lat)
        return {"max": lat[-1] * 1e3, "p99": lat[int(len(lat) * 0.99)] * 1e3, "n": len(lat)}


def start_slowlog(srv):
    """Has the server log every command over 0.5 ms, from now on."""
    srv.call("CONFIG", "SET", "slowlog-log-slower-than", "500")
    srv.call("CONFIG", "SET", "slowlog-max-len", "1000")
    srv.call("SLOWLOG", "RESET")


def slowest_ms(srv):
    """The longest single command the server executed since `start_slowlog`, in ms:
    the server's own stall, free of the probe's scheduling noise."""
    entries = srv.call("SLOWLOG", "GET", "1000")
    return max((e[2] for e in entries), default=0) / 1000 if isinstance(entries, list) else None


def stress(args, ref, cin, data, log):
    s = args.scale
    grow_n, del_n = int(5_000_000 * s), int(10_000_000 * s)
    rows = []
    # Table growth: millions of inserts through one pipelined connection.
    row = {"title": f"inserting {grow_n:,} keys (pipelined SET)"}
    for srv in (ref, cin):
        srv.start()
        try:
            path = data.file(f"grow_{grow_n}", lambda: gen_strings(grow_n, False))
            start_slowlog(srv)
            probe = Probe(srv.port, limit_s=600)
            probe.start()
            time.sleep(0.2)
            errors, secs = load(srv, path)
            probe.stop_flag.set()
            probe.join(10)
            row[srv.label] = dict(probe.summary() or {}, secs=secs, errors=errors, slowest=slowest_ms(srv))
            log(f"  stress growth {srv.label:<8} {row[srv.label]}")
        finally:
            srv.stop()
    rows.append(row)
    # Deleting one huge collection.
    row = {"title": f"DEL of a {del_n:,}-member set"}
    for srv in (ref, cin):
        srv.start()
        try:
            if not supported(srv, ["SADD", "k", "m"]):
                row[srv.label] = None
                continue
            path = data.file(f"bigset_{del_n}", lambda: gen_big(b"SADD", del_n, 10000))
            errors, _ = load(srv, path)
            start_slowlog(srv)
            probe = Probe(srv.port, limit_s=300)
            probe.start()
            time.sleep(0.3)
            t0 = time.monotonic()
            srv.call("DEL", "big")
            secs = time.monotonic() - t0
            time.sleep(0.3)
            probe.stop_flag.set()
            probe.join(10)
            row[srv.label] = dict(probe.summary() or {}, secs=secs, errors=errors, slowest=slowest_ms(srv))
            log(f"  stress delete {srv.label:<8} {row[srv.label]}")
        finally:
            srv.stop()
    rows.append(row)
    return rows


def stress_table(rows):
    out = ["| while | Redis worst / p99 ms | Cinnabar worst / p99 ms | Redis slowest command ms "
           "| Cinnabar slowest command ms | Redis op time s | Cinnabar op time s |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a, b = r.get("redis"), r.get("cinnabar")

        def lat(x):
            return f"{x['max']:.1f} / {x['p99']:.2f}" if x and "max" in x else "n/a"

        def secs(x):
            return f"{x['secs']:.2f}" + (" (errors!)" if x["errors"] else "") if x else "n/a"

        def slow(x):
            return f"{x['slowest']:.1f}" if x and x.get("slowest") is not None else "n/a"

        out.append(f"| {r['title']} | {lat(a)} | {lat(b)} | {slow(a)} | {slow(b)} | {secs(a)} | {secs(b)} |")
    return "\n".join(out)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("CINNABAR_BIN", str(ROOT / "target/release/cinnabar-server")))
    ap.add_argument("--quick", action="store_true", help="short run (< 2 minutes) for everyday use")
    ap.add_argument("--threads", type=int, default=0, help="Cinnabar worker threads (--io-threads)")
    ap.add_argument("--rounds", type=int, help="alternating rounds (default 3 quick, 5 full)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pipelines", default="1,16", help="comma-separated -P values")
    ap.add_argument("--tests", default="", help="comma-separated subset, e.g. SET,GET")
    ap.add_argument("--only", default="throughput,memory,stress", help="sections to run")
    ap.add_argument("--port-base", type=int, default=7600, help="Redis on this port, Cinnabar on the next")
    ap.add_argument("--record", action="store_true", help="append the results to docs/BENCHMARKS.md")
    args = ap.parse_args()
    args.binary = str(Path(args.binary).resolve())
    args.pipelines = [int(p) for p in args.pipelines.split(",") if p]
    args.tests = [t.strip().upper() for t in args.tests.split(",") if t.strip()]
    sections = {s.strip() for s in args.only.split(",")}
    if args.quick:
        args.rounds = args.rounds or 3
        args.n_p1, args.n_p16, args.scale = 10_000, 50_000, 0.1
    else:
        args.rounds = args.rounds or 5
        args.n_p1, args.n_p16, args.scale = 40_000, 250_000, 1.0

    started = time.monotonic()
    load_start = loadavg()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.strip()
    log(f"reference: {version}")
    report = []
    with tempfile.TemporaryDirectory(prefix="cinnabar-bench-") as workdir:
        ref, cin = make_servers(args, workdir)
        data = DataSets(workdir)
        try:
            if "throughput" in sections:
                log("throughput")
                ref.start()
                cin.start()
                rows = throughput(args, ref, cin, log)
                ref.stop()
                cin.stop()
                report += [f"### Throughput ({args.clients} clients, random keys over 100k, "
                           f"{args.rounds} alternating rounds, medians)", "", throughput_table(rows), ""]
            if "memory" in sections:
                log("memory")
                rows = memory(args, ref, cin, data, log)
                report += ["### Memory (bytes per key or element, fresh server, loaded with redis-cli --pipe)",
                           "", memory_table(rows), ""]
            if "stress" in sections:
                log("latency under stress")
                rows = stress(args, ref, cin, data, log)
                report += ["### Latency under stress (probe: PING/GET one at a time, ~1000/s)", "",
                           stress_table(rows), ""]
        finally:
            ref.stop()
            cin.stop()

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmdline = "bench/run.sh " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    threads = args.threads or os.cpu_count()
    header = [f"## {date}: `{cmdline.strip()}`", "",
              f"{version}; Cinnabar {git_rev()} with {threads} worker threads; {os.cpu_count()} cores; "
              f"run took {time.monotonic() - started:.0f} s; load average {load_start} at start, "
              f"{loadavg()} at end.", ""]
    text = "\n".join(header + report)
    print(text)
    if args.record:
        path = ROOT / "docs/BENCHMARKS.md"
        if not path.exists():
            path.write_text(BENCHMARKS_INTRO)
        with open(path, "a") as f:
            f.write("\n" + text + "\n")
        log(f"appended to {path}")


BENCHMARKS_INTRO = """# Benchmarks

Results of `bench/run.sh` (see README.md, "Benchmarks"), newest last.

How to read them: the machine these ran on is shared (2 cores, with other builds and
tests running at the same time), so absolute requests/s move a lot from run to run.
The servers are measured in alternating rounds and the tables show medians, so the
**ratios** Cinnabar/Redis are the numbers to compare; the load average at the start
and end of each run is noted. Redis is single-threaded; Cinnabar runs the noted
number of worker threads, and redis-benchmark itself shares the same cores.
CPU s/Mop is the server process's CPU time (user + system) per million requests.
"""


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def git_rev():
    r = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "(unknown revision)"


if __name__ == "__main__":
    main()
