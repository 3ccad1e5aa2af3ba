#!/usr/bin/env python3
"""bench.py - the API benchmarks of unionbase (run by bench/run.sh, `make bench`).

What it does:
  1. The country: `unionbase init` + `unionbase generate` (about 113,000 units)
     into bench/cache/country-<key>.db, made once and reused: the key hashes
     the seed and scale and the generator (src/io/gen_country.c); a cached
     country made by an older program is migrated forward with `unionbase
     init` (so an older program can no longer open it). Three users with API
     tokens are added to it:
       bench_admin     at VN, the root (admin, viewer)
       bench_province  at the new province with the median number of communes
                       (admin, viewer)
       bench_commune   at the first commune of that province (admin, viewer, entry)
     All three are admins of their unit: the audit list needs the role.
  2. For each store (BENCH_STORES, default "sqlite pg"): a copy of the cached
     file (SQLite), or `unionbase copy` of it into a fresh database on the
     throw-away server of scripts/pg-test-server.sh (PostgreSQL; started and
     stopped here unless one is running already). `unionbase serve --quiet` on
     a free port on 127.0.0.1.
  3. Single client (wrk -t1 -c1 --latency, BENCH_SECONDS each, BENCH_RUNS
     runs, the median of the runs' p50 and p99): for each caller, the unit
     page, its children, the tree to depth 2 below it, the events of the unit,
     all events she may see, the audit list.
  4. 64 connections (wrk -t2 -c64 -d10s --latency, BENCH_RUNS runs, medians):
     the unit page of the province and the commune officer, each with her token.
  5. The server's peak resident memory (VmHWM in /proc/PID/status).
  6. A dated section at the top of BENCHMARKS.md's results (BENCH_WRITE=0: print
     only); the raw figures in bench/cache/results-<date>.json.

Knobs (environment):
  BENCH_STORES="sqlite pg"   BENCH_RUNS=3        BENCH_SECONDS=3
  BENCH_LOAD_SECONDS=10      BENCH_CONNS=64      BENCH_LOAD_THREADS=2
  BENCH_SCALE=1              BENCH_SEED=1        BENCH_SERVE_THREADS (server default)
  BENCH_BIN=build/unionbase  BENCH_CACHE=bench/cache
  BENCH_OUT=BENCHMARKS.md    BENCH_WRITE=1       BENCH_LABEL (default: the commit's subject)
  BENCH_REGENERATE=1         make the country again even when cached
  BENCH_ACCESS_LOG=1         the server writes its access log (a line a request,
                             with the milliseconds its handler took, after its
                             wait in the lane) into BENCH_CACHE/serve.log
  BENCH_PG_SHARED_BUFFERS=4GB  the throw-away PostgreSQL server's, when a
                             benchmark starts it (a running one is used as it is)
  BENCH_COUNTRY_DB=PATH      serve this SQLite database in place of a copy of
                             the cached country (the 20,000,000-member country of
                             bench/members.py, say; BENCH_STORES=sqlite), or this
                             postgresql:// URL's database (BENCH_STORES=pg): the
                             callers' users and tokens are added to it

Standard library only.
"""

import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = os.environ


def knob(name, default):
    v = ENV.get(name, "")
    return v if v != "" else default


STORES = knob("BENCH_STORES", "sqlite pg").split()
RUNS = int(knob("BENCH_RUNS", "3"))
SECONDS = int(knob("BENCH_SECONDS", "3"))
LOAD_SECONDS = int(knob("BENCH_LOAD_SECONDS", "10"))
CONNS = int(knob("BENCH_CONNS", "64"))
LOAD_THREADS = int(knob("BENCH_LOAD_THREADS", "2"))
SCALE = knob("BENCH_SCALE", "1")
SEED = knob("BENCH_SEED", "1")
SERVE_THREADS = knob("BENCH_SERVE_THREADS", "")
ACCESS_LOG = knob("BENCH_ACCESS_LOG", "0") == "1"
PG_SHARED_BUFFERS = knob("BENCH_PG_SHARED_BUFFERS", "4GB")
BIN = os.path.abspath(os.path.join(TOP, knob("BENCH_BIN", "build/unionbase")))
CACHE = os.path.abspath(os.path.join(TOP, knob("BENCH_CACHE", "bench/cache")))
OUT = os.path.abspath(os.path.join(TOP, knob("BENCH_OUT", "BENCHMARKS.md")))
WRITE = knob("BENCH_WRITE", "1") != "0"
LABEL = knob("BENCH_LABEL", "")
REGENERATE = knob("BENCH_REGENERATE", "0") == "1"
COUNTRY_DB = knob("BENCH_COUNTRY_DB", "")

CACHE_FORMAT = 1  # raise when what make_country stores changes
MARKER = "<!-- bench/run.sh adds each run below this line, newest first -->"
TARGET_P99_MS = 10.0
MIN_SAMPLES = 5  # fewer requests in a wrk run: measured one by one (see wrk())
TARGET_RPS = 5000.0

ENDPOINTS = [
    ("unit", "unit page", "/api/v1/units/{u}"),
    ("children", "children", "/api/v1/units/{u}/children"),
    ("tree", "tree depth 2", "/api/v1/tree?root={u}&depth=2"),
    ("events_unit", "events of unit", "/api/v1/events?unit={u}"),
    ("events", "events (all)", "/api/v1/events"),
    ("audit", "audit list", "/api/v1/audit"),
]
CALLERS = [
    ("admin", "bench_admin", ["admin", "viewer"]),
    ("province", "bench_province", ["admin", "viewer"]),
    ("commune", "bench_commune", ["admin", "viewer", "entry"]),
]


def log(msg):
    print("bench: %s" % msg, file=sys.stderr, flush=True)


def die(msg):
    log("ERROR: " + msg)
    sys.exit(1)


def ub(*args, stdin=None, check=True):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        die("unionbase %s failed (exit %d): %s" % (" ".join(args[:3]), p.returncode, p.stderr.strip()))
    return p.stdout


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=TOP, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# ---------------------------------------------------------------- the country

def cache_key():
    # the generator and its knobs make the country; a newer schema does not
    # (the cached database is migrated forward instead, see make_country)
    h = hashlib.sha256()
    h.update(("seed=%s scale=%s" % (SEED, SCALE)).encode())
    h.update(("cache format %d" % CACHE_FORMAT).encode())
    for f in ("src/io/gen_country.c", "src/io/rng.h"):
        try:
            with open(os.path.join(TOP, f), "rb") as fh:
                h.update(fh.read())
        except OSError:
            pass
    return h.hexdigest()[:12]


def callers(db):
    """The benchmark's three callers in db: the units they sit at (VN, the
    province with the median number of communes today, its first commune)
    and a new API token each (the users made when missing)."""
    provs = json.loads(ub("units", "list", "--level", "province", "--limit", "100", "--json", "--db", db))["items"]
    provs.sort(key=lambda u: (u["child_count"], u["code"]))
    prov = provs[len(provs) // 2]
    communes = json.loads(ub("units", "list", "--level", "commune", "--parent", prov["code"], "--limit", "1",
                             "--json", "--db", db))["items"]
    if not communes:
        die("province %s has no commune" % prov["code"])
    commune = communes[0]
    units = {"admin": {"code": "VN", "name": "Hội LHPN Việt Nam", "children": len(provs)},
             "province": {"code": prov["code"], "name": prov["name_vi"], "children": prov["child_count"]},
             "commune": {"code": commune["code"], "name": commune["name_vi"], "children": commune["child_count"]}}
    # `user list --json` writes one user a line
    known = {json.loads(line)["username"] for line in ub("user", "list", "--json", "--db", db).splitlines() if line}
    tokens = {}
    for who, user, roles in CALLERS:
        if user not in known:
            args = ["user", "add", user, "--unit", units[who]["code"], "--db", db]
            for r in roles:
                args += ["--role", r]
            ub(*args, stdin="bench-password-%s\n" % who)
        tokens[who] = ub("user", "token", user, "--name", "bench", "--db", db).strip()
    return units, tokens


def make_country():
    """The cached database and its description (tokens, units, timings)."""
    os.makedirs(CACHE, exist_ok=True)
    key = cache_key()
    db = os.path.join(CACHE, "country-%s.db" % key)
    meta_path = os.path.join(CACHE, "country-%s.json" % key)
    if os.path.exists(db) and os.path.exists(meta_path) and not REGENERATE:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
        log("country: cached %s (generated in %.0f s)" % (os.path.relpath(db, TOP), meta["generate_seconds"]))
        # `init` on a database made by an older program applies the newer
        # migrations (and does nothing when it is current)
        ub("init", db)
        return db, meta
    # keep the newest other country (a before/after pair), drop older ones
    others = sorted((f for f in os.listdir(CACHE) if f.startswith("country-") and f.endswith(".json")),
                    key=lambda f: os.path.getmtime(os.path.join(CACHE, f)), reverse=True)
    for old in others[1:]:
        stem = old[:-len(".json")]
        for f in os.listdir(CACHE):
            if f.startswith(stem):
                os.remove(os.path.join(CACHE, f))
    tmp = db + ".tmp"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    log("country: init + generate --seed %s --scale %s (a few minutes, once)" % (SEED, SCALE))
    ub("init", tmp)
    t0 = time.monotonic()
    p = subprocess.run([BIN, "generate", "--db", tmp, "--seed", SEED, "--scale", SCALE, "--json"],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        die("generate failed")
    gen_seconds = time.monotonic() - t0
    stats = json.loads(p.stdout)
    log("country: %d units in %.0f s" % (stats["units_created"], gen_seconds))

    units, tokens = callers(tmp)
    # fold the WAL into the file, so that a plain copy is the whole database
    con_ok = shutil.which("sqlite3")
    if con_ok:
        subprocess.run(["sqlite3", tmp, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True)
    meta = {"key": key, "seed": SEED, "scale": SCALE, "stats": stats, "generate_seconds": gen_seconds,
            "units": units, "tokens": tokens, "version": ub("--version").strip()}
    for suffix in ("-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.replace(tmp + suffix, db + suffix)
    os.replace(tmp, db)
    with open(meta_path, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    os.chmod(meta_path, 0o600)
    return db, meta


def given_country():
    """BENCH_COUNTRY_DB brought to the current schema, with the callers
    added, and its description."""
    if is_url(COUNTRY_DB):
        if STORES != ["pg"]:
            die("BENCH_COUNTRY_DB is a PostgreSQL database: set BENCH_STORES=pg")
        db = COUNTRY_DB
        size = pg_size(db)
    else:
        if STORES != ["sqlite"]:
            die("BENCH_COUNTRY_DB is a SQLite database: set BENCH_STORES=sqlite")
        db = os.path.abspath(COUNTRY_DB)
        if not os.path.exists(db):
            die("BENCH_COUNTRY_DB: %s is missing" % db)
        size = os.path.getsize(db)
    ub("init", db)
    units, tokens = callers(db)
    return db, {"units": units, "tokens": tokens, "given": db, "size": size}


def is_url(db):
    """Whether db names a PostgreSQL database rather than a SQLite file."""
    return db.startswith(("postgresql://", "postgres://"))


def pg_size(url):
    """The PostgreSQL database's size on disk in bytes (pg_database_size)."""
    out = subprocess.run(["psql", url, "-qtA", "-c", "SELECT pg_database_size(current_database())"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1])


# ---------------------------------------------------------------- servers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def mem_mib(peak_kib, anon_kib):
    """A server's peak RSS, and of it its own memory (AnonSampler), in MiB."""
    if not peak_kib:
        return "–"
    return "%.0f MiB (own %.0f MiB)" % (peak_kib / 1024, anon_kib / 1024) if anon_kib else "%.0f MiB" % (peak_kib / 1024)


class AnonSampler(threading.Thread):
    """The peak of a process's RssAnon (its own memory: heap, stacks; not
    the pages of the database file it maps, which VmHWM counts too: on
    SQLite the server reads the file through one shared map, whose pages
    are the kernel's page cache), read every 0.2 s."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.halt = pid, 0, threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                with open("/proc/%d/status" % self.pid, encoding="ascii") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            self.peak = max(self.peak, int(line.split()[1]))
            except OSError:
                return
            self.halt.wait(0.2)

    def stop(self):
        self.halt.set()
        self.join()


class Server:
    def __init__(self, url):
        self.port = free_port()
        args = [BIN, "serve", "--db", url, "--listen", "127.0.0.1:%d" % self.port]
        if not ACCESS_LOG:
            args.append("--quiet")
        if SERVE_THREADS:
            args += ["--threads", SERVE_THREADS]
        os.makedirs(CACHE, exist_ok=True)
        self.log = open(os.path.join(CACHE, "serve.log"), "w", encoding="utf-8")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.port
        self.anon = AnonSampler(self.proc.pid)
        self.anon.start()
        for _ in range(200):
            if self.proc.poll() is not None:
                die("unionbase serve exited (see %s)" % self.log.name)
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        die("unionbase serve did not answer /healthz")

    def anon_peak_kib(self):
        """The peak of the server's own memory so far (RssAnon)."""
        return self.anon.peak or None

    def peak_kib(self):
        try:
            with open("/proc/%d/status" % self.proc.pid, encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        self.anon.stop()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def get_status(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class PgServer:
    """The throw-away PostgreSQL server of scripts/pg-test-server.sh."""

    def __init__(self):
        self.script = os.path.join(TOP, "scripts", "pg-test-server.sh")
        self.started = False
        if subprocess.run([self.script, "status"], capture_output=True).returncode != 0:
            # shared_buffers as a production server would have it (a
            # quarter of this machine's memory, about): with the tests'
            # 128 MB, a million members' pages went through the kernel's
            # cache on every read
            log("PostgreSQL: starting a throw-away server (shared_buffers %s)" % PG_SHARED_BUFFERS)
            env = dict(os.environ, UNIONBASE_PG_SHARED_BUFFERS=PG_SHARED_BUFFERS)
            if subprocess.run([self.script, "start"], capture_output=True, env=env).returncode != 0:
                die("scripts/pg-test-server.sh start failed")
            self.started = True
        else:
            log("PostgreSQL: the running throw-away server, as it was started (its shared_buffers: %s)"
                % self.setting("shared_buffers"))

    def setting(self, name):
        url = subprocess.run([self.script, "url", "postgres"], capture_output=True, text=True).stdout.strip().splitlines()[-1]
        return subprocess.run(["psql", url, "-qAtc", "SHOW %s" % name], capture_output=True, text=True).stdout.strip()

    def createdb(self, name):
        p = subprocess.run([self.script, "createdb", name], capture_output=True, text=True)
        if p.returncode != 0:
            die("createdb %s failed: %s" % (name, p.stderr.strip()))
        return p.stdout.strip().splitlines()[-1]

    def stop(self):
        if self.started:
            subprocess.run([self.script, "stop"], capture_output=True)


# ---------------------------------------------------------------- wrk

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNIT_MS[m.group(2)] if m else None


def wrk(url, token, threads, conns, seconds):
    args = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", "--timeout", "30s",
            "-H", "Authorization: Bearer " + token, url]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    res = {"p50": None, "p99": None, "rps": None, "requests": 0, "errors": 0}
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"(50|99)%\s+(\S+)$", line)
        if m:
            res["p" + m.group(1)] = parse_ms(m.group(2))
        m = re.match(r"Requests/sec:\s+([0-9.]+)", line)
        if m:
            res["rps"] = float(m.group(1))
        m = re.match(r"(\d+) requests in", line)
        if m:
            res["requests"] = int(m.group(1))
        m = re.match(r"Non-2xx or 3xx responses:\s+(\d+)", line)
        if m:
            res["errors"] += int(m.group(1))
        m = re.match(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", line)
        if m:
            res["errors"] += sum(int(x) for x in m.groups())
    if res["requests"] < MIN_SAMPLES:
        # slower than the run is long: wrk's figures are empty or one or two
        # requests; measure MIN_SAMPLES requests one after another instead
        res = sample(url, token, MIN_SAMPLES)
    return res


def sample(url, token, n):
    """n requests in a row on one keep-alive connection: p50 and p99 by
    nearest rank (with few samples, p99 is the slowest)."""
    u = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    path = u.path + ("?" + u.query if u.query else "")
    times, errors = [], 0
    try:
        for _ in range(n):
            t0 = time.monotonic()
            con.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = con.getresponse()
            r.read()
            times.append((time.monotonic() - t0) * 1000)
            errors += r.status != 200
    finally:
        con.close()
    times.sort()

    def rank(p):
        return times[max(0, math.ceil(p * len(times)) - 1)]

    return {"p50": rank(0.50), "p99": rank(0.99), "rps": len(times) / (sum(times) / 1000), "requests": n,
            "errors": errors, "sampled": True}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- one store

def bench_store(store, url, meta):
    srv = Server(url)
    result = {"single": {}, "load": {}, "peak_kib": None}
    try:
        paths = {}
        for who, _, _ in CALLERS:
            for key, _, tmpl in ENDPOINTS:
                path = tmpl.format(u=meta["units"][who]["code"])
                status = get_status(srv.base + path, meta["tokens"][who])
                if status != 200:
                    die("%s: GET %s as %s answered %d" % (store, path, who, status))
                paths[(who, key)] = path
        for run in range(RUNS):
            log("%s: single client, run %d/%d" % (store, run + 1, RUNS))
            for who, _, _ in CALLERS:
                for key, _, _ in ENDPOINTS:
                    r = wrk(srv.base + paths[(who, key)], meta["tokens"][who], 1, 1, SECONDS)
                    result["single"].setdefault("%s/%s" % (who, key), []).append(r)
        for run in range(RUNS):
            log("%s: %d connections, run %d/%d" % (store, CONNS, run + 1, RUNS))
            for who in ("province", "commune"):
                r = wrk(srv.base + paths[(who, "unit")], meta["tokens"][who], LOAD_THREADS, CONNS, LOAD_SECONDS)
                result["load"].setdefault(who, []).append(r)
        result["peak_kib"] = srv.peak_kib()
        result["anon_kib"] = srv.anon_peak_kib()
        result["load_end"] = os.getloadavg()[0]
    finally:
        srv.stop()
    return result


# ---------------------------------------------------------------- report

def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gib = int(line.split()[1]) / 1048576
    except OSError:
        pass
    distro = ""
    try:
        with open("/etc/debian_version", encoding="ascii") as f:
            distro = "Debian " + f.read().strip()
    except OSError:
        distro = platform.platform()
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "mem_gib": mem_gib, "os": distro,
            "load": os.getloadavg()[0]}


def fmt_ms(x):
    if x is None:
        return "–"
    return "%.1f" % x if x < 100 else "%.0f" % x


def cell(runs):
    p50 = median(r["p50"] for r in runs)
    p99 = median(r["p99"] for r in runs)
    bad = any(r["errors"] for r in runs)
    sampled = any(r.get("sampled") for r in runs)
    return "%s / %s%s%s" % (fmt_ms(p50), fmt_ms(p99), "*" if sampled else "",
                            " (errors!)" if bad else ""), p99


def render(meta, results, info):
    date = info["date"]
    commit = info["commit"]
    m = info["machine"]
    u = meta["units"]
    st = meta.get("stats")
    lines = []
    lines.append("## %s · %s · %s" % (info["when"], commit, info["label"]))
    lines.append("")
    lines.append("- machine: %d cores (%s), %.0f GiB RAM, %s; shared with other work: 1-minute load "
                 "average %.1f at the start, %s at the end of each store"
                 % (m["nproc"], m["cpu"], m["mem_gib"], m["os"], m["load"],
                    ", ".join("%.1f (%s)" % (results[s].get("load_end", 0), s) for s in results)))
    lines.append("- program: %s, commit %s" % (ub("--version").strip(), commit))
    if meta.get("given"):
        lines.append("- data: %s (BENCH_COUNTRY_DB, %.1f GiB), served in place"
                     % (meta["given"] if is_url(meta["given"]) else os.path.relpath(meta["given"], TOP),
                        meta["size"] / 2**30))
    else:
        lines.append("- data: `unionbase generate --seed %s --scale %s`: %s units created "
                     "(%s districts, %s communes, %s branches, %s groups until 2025-06-30; "
                     "%s communes from 2025-07-01), generated in %.0f s on SQLite%s"
                     % (meta["seed"], meta["scale"], f"{st['units_created']:,}", st["before_reform"]["districts"],
                        f"{st['before_reform']['communes']:,}", f"{st['before_reform']['branches']:,}",
                        f"{st['before_reform']['groups']:,}", f"{st['after_reform']['communes']:,}",
                        meta["generate_seconds"],
                        "; copied to PostgreSQL in %.0f s (`unionbase copy`)" % info["copy_seconds"]
                        if info.get("copy_seconds") else ""))
    lines.append("- callers (API tokens): admin at VN (%d provinces below); province officer at %s %s "
                 "(%d communes); commune officer at %s %s (%d branches); roles admin and viewer (the commune "
                 "officer also entry)"
                 % (u["admin"]["children"], u["province"]["code"], u["province"]["name"],
                    u["province"]["children"], u["commune"]["code"], u["commune"]["name"],
                    u["commune"]["children"]))
    lines.append("- command: `%s`; single client: `wrk -t1 -c1 -d%ds --latency`, load: "
                 "`wrk -t%d -c%d -d%ds --latency`, each the median of %d runs"
                 % (info["command"], SECONDS, LOAD_THREADS, CONNS, LOAD_SECONDS, RUNS))
    lines.append("")
    lines.append("Single client, p50 / p99 in ms:")
    lines.append("")
    lines.append("| date | commit | store | caller | " + " | ".join(e[1] for e in ENDPOINTS) + " |")
    lines.append("|---" * (4 + len(ENDPOINTS)) + "|")
    misses = []
    for store in results:
        for who, _, _ in CALLERS:
            cells = []
            for key, name, _ in ENDPOINTS:
                text, p99 = cell(results[store]["single"]["%s/%s" % (who, key)])
                cells.append(text)
                if store == "sqlite" and (p99 is None or p99 >= TARGET_P99_MS):
                    misses.append("%s %s %s ms" % (who, name, fmt_ms(p99)))
            lines.append("| %s | %s | %s | %s (%s) | %s |" % (date, commit, store, who, u[who]["code"],
                                                             " | ".join(cells)))
    if any(r.get("sampled") for st in results.values() for runs in st["single"].values() for r in runs):
        lines.append("")
        lines.append("\\* slower than the %d s run: %d requests one after another on one connection "
                     "instead of wrk (p99 is then the slowest)." % (SECONDS, MIN_SAMPLES))
    lines.append("")
    lines.append("Unit page at %d connections (`GET /api/v1/units/{her unit}` with her token):" % CONNS)
    lines.append("")
    lines.append("| date | commit | store | caller | requests/s | p50 ms | p99 ms | server peak RSS |")
    lines.append("|---|---|---|---|---|---|---|---|")
    rps_notes = []
    for store in results:
        peak = results[store]["peak_kib"]
        for who in ("province", "commune"):
            runs = results[store]["load"][who]
            rps = median(r["rps"] for r in runs)
            bad = any(r["errors"] for r in runs)
            lines.append("| %s | %s | %s | %s (%s) | %s%s | %s | %s | %s |" % (
                date, commit, store, who, u[who]["code"], "%.0f" % rps if rps is not None else "–",
                " (errors!)" if bad else "", fmt_ms(median(r["p50"] for r in runs)),
                fmt_ms(median(r["p99"] for r in runs)), mem_mib(peak, results[store].get("anon_kib"))))
            if store == "sqlite":
                rps_notes.append("%s %.0f" % (who, rps or 0))
    lines.append("")
    if "sqlite" in results:
        lines.append("Targets (SQLite): every scoped read p99 under %.0f ms single-client: %s; at least %d "
                     "unit-page requests/s at %d connections: %s."
                     % (TARGET_P99_MS, "met" if not misses else "missed by %d of %d (%s)"
                        % (len(misses), len(CALLERS) * len(ENDPOINTS), "; ".join(misses)),
                        TARGET_RPS, CONNS, ", ".join(rps_notes)))
        lines.append("")
    return "\n".join(lines) + "\n"


HEADER = """# Benchmarks

Figures of `make bench` (bench/run.sh, bench/bench.py): the JSON API on a
generated national tree (`unionbase generate`: 63 provinces becoming 34 on
2025-07-01, about 10,000 communes merged into 3,321, about 100,000 branches
and groups), on SQLite and on PostgreSQL (the throw-away server of
scripts/pg-test-server.sh, loaded with `unionbase copy`). Three callers with
API tokens: an admin at the root VN, a province officer, a commune officer.
Single client: p50 / p99 of the unit page, its children, the tree to depth
2, the events of the unit, all events and the audit list; then requests per
second on the unit page at 64 connections; the server's peak memory.

Targets (SQLite, about 100,000 units, a 2-core machine): every scoped read
p99 under 10 ms single-client; at least 5,000 unit-page requests per second
at 64 connections.

Each run adds a dated section (newest first): the machine, the commit, the
command, medians of several runs. The machine these were taken on is shared
with other work, so compare runs made close together and read single
figures with care. Knobs: `BENCH_STORES=sqlite`, `BENCH_RUNS=3`,
`BENCH_SECONDS=3`, `BENCH_LABEL=...` (see bench/bench.py).

""" + MARKER + "\n"


def write_report(section):
    if os.path.exists(OUT):
        with open(OUT, encoding="utf-8") as f:
            text = f.read()
    else:
        text = HEADER
    if MARKER not in text:
        text = text.rstrip("\n") + "\n\n" + MARKER + "\n"
    head, tail = text.split(MARKER, 1)
    text = head + MARKER + "\n\n" + section.rstrip("\n") + "\n\n" + tail.lstrip("\n")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")


# ---------------------------------------------------------------- main

def main():
    if not os.access(BIN, os.X_OK):
        die("%s is missing: run `make` first" % BIN)
    if not shutil.which("wrk"):
        die("wrk is missing (scripts/install-deps.sh installs it)")
    for s in STORES:
        if s not in ("sqlite", "pg"):
            die("BENCH_STORES takes sqlite and pg, not %r" % s)
    started = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc)
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "src", "bench", "meson.build"):
        commit += "+dirty"
    info = {"date": now.strftime("%Y-%m-%d"), "when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
            "label": LABEL or git("log", "-1", "--format=%s")[:80] or "(no label)",
            "machine": machine(),
            "command": " ".join("%s=%s" % (k, shlex.quote(ENV[k])) for k in sorted(ENV) if k.startswith("BENCH_"))
                       + (" " if any(k.startswith("BENCH_") for k in ENV) else "") + "make bench"}
    db, meta = given_country() if COUNTRY_DB else make_country()
    results = {}
    for store in STORES:
        if COUNTRY_DB:
            results[store] = bench_store(store, db, meta)
        elif store == "sqlite":
            work = os.path.join(CACHE, "work.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(work + suffix):
                    os.remove(work + suffix)
                if os.path.exists(db + suffix):
                    shutil.copyfile(db + suffix, work + suffix)
            results["sqlite"] = bench_store("sqlite", work, meta)
        else:
            pg = PgServer()
            try:
                url = pg.createdb("unionbase_bench")
                t0 = time.monotonic()
                ub("copy", db, url)
                info["copy_seconds"] = time.monotonic() - t0
                log("pg: copied in %.0f s" % info["copy_seconds"])
                results["pg"] = bench_store("pg", url, meta)
            finally:
                pg.stop()
    section = render(meta, results, info)
    raw = os.path.join(CACHE, "results-%s.json" % now.strftime("%Y%m%dT%H%M%S"))
    with open(raw, "w", encoding="utf-8") as f:
        json.dump({"info": info, "meta": {k: v for k, v in meta.items() if k != "tokens"}, "results": results},
                  f, indent=1, ensure_ascii=False)
    print(section)
    if WRITE:
        write_report(section)
        log("results added to %s (raw figures: %s)" % (os.path.relpath(OUT, TOP), os.path.relpath(raw, TOP)))
    log("done in %.0f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
