#!/usr/bin/env python3
"""monthend.py - the month-end mix over HTTP (issue 17, item 2; run by
`make bench-monthend`, not by `make test`).

What it does:
  1. The database of members.py: the country of bench.py with BENCH_MEMBERS
     members (default 1,000,000), cached; or BENCH_MEMBERS_DB, measured in
     place. BENCH_OFFICERS commune officers (default 200) are added to it
     when missing: users monthend_001... with roles entry and viewer, each at
     another commune of today that has members (the communes with at least
     30 members today, taken evenly along their codes), and a new API token
     each (`unionbase user add` / `user token`, the password from standard
     input). bench.py's callers are made too (bench_admin's token runs the
     search probe).
  2. For each store (BENCH_STORES, default "sqlite pg"): SQLite on a copy of
     the cached file (BENCH_MEMBERS_DB: the file itself), PostgreSQL on a
     `unionbase copy` of it into the throw-away server of
     scripts/pg-test-server.sh (dropped at the end; BENCH_MEMBERS_DB may
     be a postgresql:// URL instead, with BENCH_STORES=pg: that database,
     in place); `unionbase serve
     --quiet`. Each officer's requests are prepared through the API with
     her own token: her commune's branches and groups (GET
     /api/v1/units/C/children) and the first members of her commune (GET
     /api/v1/members?unit=C).
  3. The mix, BENCH_RUNS runs (default 3) of BENCH_SECONDS (default 30) on the
     same server, the medians: BENCH_CONNS connections (64) shared by the
     kinds in proportion to the mix (largest remainders), every kind at once:
       reads 80%:  unit page      GET /api/v1/units/C
                   member list    GET /api/v1/members?unit=C&limit=50
                   search         GET /api/v1/members?q=..&unit=C&limit=50
                   statistics     GET /api/v1/reports/members?unit=C
       writes 15%: edit           PATCH /api/v1/members/ID {"notes": ..}
                                  (two notes taken in turn: each changes it)
                   transfer       POST /api/v1/members/ID/transfer {"to": B}
                                  to another branch of her commune (at once,
                                  200), and a round later back home (a move
                                  back on the same day undoes the first)
       imports 5%: small import   POST /api/v1/imports?unit=C (a CSV of
                                  BENCH_MONTHEND_IMPORT_ROWS new members,
                                  default 20, in her branches), GET the job
                                  until checked, POST .../commit, GET until
                                  done
     BENCH_THINK_MS (default 0) is a pause after every answer before the
     connection's next request (after each whole import for the importers),
     as officials read what they got: 0 sends at once, so the mix takes all
     the server can give (every lane full, and a request's latency mostly
     its wait in the queue); a pause offers a load below that, at most
     connections / (pause + latency) requests a second, for the latencies
     at a lighter load. wrk corrects its histogram for coordinated omission
     from the time between a connection's requests, which a pause
     lengthens: its p50 and p99 with and without a pause are not computed
     quite alike. The search probe (timed here, one request after another)
     is the figure to compare.
     Reads and writes: one wrk process per kind (-t1, its share of the
     connections, bench/monthend.lua rotating over a file of the officers'
     requests; wrk's Lua cannot time one request among several kinds, so
     each kind has its own wrk and its own histogram). Imports: a Python
     thread per import connection, one import after another, each timed
     from the upload to `done` (its requests timed one by one too; the
     polls, every 100 ms where the web app waits 500, not counted in the
     mix). Any answer but 2xx is an error, counted by status and shown; an
     import is an error unless it ends `done` with every row stored.
     Before each run after the first, the moved members still away (a run
     ends in the middle of a round) are moved home, untimed.
  4. Beside the mix, on a connection of its own: the search probe of
     members.py (bench_admin, GET /api/v1/members?q=..&unit=PROVINCE&limit=50
     over its name beginnings, one request after another), p50 and p99,
     before the mix (BENCH_SEARCHES requests, idle) and during it. Before
     the mix too, each wrk kind alone on one connection (BENCH_ALONE
     requests one after another; transfers there and back): p50 and p99.
  5. The server's peak resident memory (VmHWM, which counts the pages of
     the database file it maps on SQLite, store/sqlite_map.h) after the
     runs, and the peak of its anonymous part, its own memory (RssAnon,
     read every 0.2 s: bench.py's AnonSampler); the database's
     size; a dated section at the top of BENCHMARKS.md's results
     (BENCH_WRITE=0: print only), raw figures in
     bench/cache/monthend-<date>.json.

Knobs: those of bench.py and members.py (BENCH_STORES, BENCH_RUNS=3,
BENCH_CONNS=64, BENCH_MEMBERS=1000000, BENCH_MEMBERS_DB, BENCH_SEARCHES=200,
BENCH_SEED, BENCH_SCALE, BENCH_BIN, BENCH_CACHE, BENCH_OUT, BENCH_WRITE,
BENCH_LABEL, BENCH_SERVE_THREADS), BENCH_SECONDS=30 (each run of the mix),
BENCH_OFFICERS=200, BENCH_MONTHEND_IMPORT_ROWS=20, BENCH_ALONE=40,
BENCH_THINK_MS=0 (see 3.), and
BENCH_MONTHEND_KINDS="unit list search stats edit transfer import": the
kinds run (the others get no connection; to see which kind slows the
others down), BENCH_MONTHEND_WARM=1: each token used once just before each
run (the server records a token's last use, a write, at most once a minute:
then not during the run).

Standard library only; wrk (scripts/install-deps.sh).
"""

import datetime as dt
import http.client
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402
import members as mb  # noqa: E402

SECONDS = int(b.knob("BENCH_SECONDS", "30"))
RUNS = b.RUNS
CONNS = b.CONNS
OFFICERS = int(b.knob("BENCH_OFFICERS", "200"))
IMPORT_ROWS = int(b.knob("BENCH_MONTHEND_IMPORT_ROWS", "20"))
SEARCHES = mb.SEARCHES
ALONE = int(b.knob("BENCH_ALONE", "40"))
WARM = b.knob("BENCH_MONTHEND_WARM", "0") == "1"
THINK_MS = int(b.knob("BENCH_THINK_MS", "0"))
if THINK_MS < 0:
    b.die("BENCH_THINK_MS must be 0 or more (milliseconds), not %d" % THINK_MS)
ONLY = b.knob("BENCH_MONTHEND_KINDS", "unit list search stats edit transfer import").split()
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "monthend.lua")
MIN_MEMBERS = 30      # a commune officer's commune has at least these today
EDIT_MEMBERS = 4      # members per officer edited ...
MOVE_MEMBERS = 4      # ... and moved (disjoint)
SEARCH_WORDS = 3      # search requests per officer
POLL = 0.1            # seconds between an import's polls (the web app: 0.5)

# (key, name, group, weight in the mix)
KINDS = [
    ("unit", "unit page", "reads", 0.20),
    ("list", "member list", "reads", 0.20),
    ("search", "search", "reads", 0.20),
    ("stats", "statistics", "reads", 0.20),
    ("edit", "member edit", "writes", 0.075),
    ("transfer", "transfer", "writes", 0.075),
    ("import", "small import", "imports", 0.05),
]
GROUPS = [("reads", 0.80), ("writes", 0.15), ("imports", 0.05)]
CSV_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Dân tộc", "Số CCCD", "Mã chi hội", "Số điện thoại", "Thôn"]


def largest_remainders(total, weights):
    """total split in proportion to weights [(key, w)], at least one each."""
    raw = [(k, total * w / sum(x for _, x in weights)) for k, w in weights]
    got = {k: max(1, int(x)) for k, x in raw}
    rest = sorted(raw, key=lambda kx: kx[1] - int(kx[1]), reverse=True)
    i = 0
    while sum(got.values()) < total:
        got[rest[i % len(rest)][0]] += 1
        i += 1
    return got


def shares(total):
    """The connections of each kind: the groups' shares of total first
    (reads, writes, imports), then each group's among its kinds."""
    got = {}
    for g, n in largest_remainders(total, GROUPS).items():
        got.update(largest_remainders(n, [(k, w) for k, _, gg, w in KINDS if gg == g]))
    return {k: got[k] for k, _, _, _ in KINDS}


# ---------------------------------------------------------------- officers

def communes(db):
    """Today's communes with at least MIN_MEMBERS members today, by code."""
    today = dt.date.today().isoformat()
    sql = ("SELECT c.code, count(*) FROM units c"
           " JOIN ancestry a ON a.ancestor = c.id AND a.valid_from <= :d AND a.valid_to > :d"
           " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= :d AND m.valid_to > :d"
           " WHERE c.level = 'commune' AND c.valid_from <= :d AND c.valid_to > :d"
           " GROUP BY c.code HAVING count(*) >= :n ORDER BY c.code")
    if b.is_url(db):
        # psql's variables: a date quoted as a literal, the count as it is
        p = subprocess.run(["psql", db, "-qtA", "-F", "|", "-v", "d=%s" % today, "-v", "n=%d" % MIN_MEMBERS],
                           input=sql.replace(":d", ":'d'") + ";\n", capture_output=True, text=True, check=True)
        return [(code, int(n)) for code, n in (line.split("|") for line in p.stdout.splitlines() if line)]
    con = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(db), uri=True)
    try:
        rows = con.execute(sql, {"d": today, "n": MIN_MEMBERS}).fetchall()
    finally:
        con.close()
    return rows


def officers(db):
    """BENCH_OFFICERS officers in db, each at a commune of her own (made,
    or moved to a free commune, when missing or sharing one), each with a
    new token: [{"user", "unit", "token"}]."""
    known = {}
    for line in b.ub("user", "list", "--json", "--db", db).splitlines():
        if line:
            u = json.loads(line)
            known[u["username"]] = u
    names = ["monthend_%03d" % (i + 1) for i in range(OFFICERS)]
    used, need = set(), []
    for name in names:
        if name in known and known[name]["unit"] not in used:
            used.add(known[name]["unit"])
        else:
            need.append(name)
    t0 = time.monotonic()
    if need:
        rows = [code for code, _ in communes(db)]
        if len(rows) < OFFICERS:
            b.die("only %d communes have %d members or more today: BENCH_OFFICERS=%d is too many"
                  % (len(rows), MIN_MEMBERS, OFFICERS))
        spread = [rows[i * len(rows) // OFFICERS] for i in range(OFFICERS)]
        free = [c for c in spread + rows if c not in used]
        free = list(dict.fromkeys(free))
        b.log("officers: %d to add or move to a commune of their own (of %d communes with %d+ members)"
              % (len(need), len(rows), MIN_MEMBERS))
        for name in need:
            code = free.pop(0)
            if name in known:
                b.ub("user", "edit", name, "--unit", code, "--role", "entry", "--role", "viewer", "--db", db)
            else:
                i = names.index(name)
                b.ub("user", "add", name, "--unit", code, "--role", "entry", "--role", "viewer",
                     "--display-name", "Cán bộ xã %d (bench)" % (i + 1), "--db", db,
                     stdin="monthend-officer-%03d\n" % (i + 1))
            known[name] = {"username": name, "unit": code}
            used.add(code)
    out = []
    for name in names:
        tok = b.ub("user", "token", name, "--name", "monthend", "--db", db).strip()
        out.append({"user": name, "unit": known[name]["unit"], "token": tok})
    b.log("officers: %d with new tokens in %.0f s" % (len(out), time.monotonic() - t0))
    return out


# ---------------------------------------------------------------- HTTP

class Client:
    """One keep-alive connection; each request timed (ms)."""

    def __init__(self, base, timeout=120):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.con = None

    def call(self, method, path, token, body=None, ctype="application/json"):
        hdr = {"Authorization": "Bearer " + token}
        if body is not None:
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
            hdr["Content-Type"] = ctype
            hdr["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            if self.con is None:
                self.con = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            t0 = time.monotonic()
            try:
                self.con.request(method, path, body=body, headers=hdr)
                r = self.con.getresponse()
                data = r.read()
            except (http.client.HTTPException, OSError):
                self.con.close()
                self.con = None
                if attempt:
                    raise
                continue
            ms = (time.monotonic() - t0) * 1000
            if r.getheader("Connection", "").lower() == "close":
                self.con.close()
                self.con = None
            try:
                obj = json.loads(data) if data else None
            except ValueError:
                obj = None
            return r.status, obj, ms
        raise OSError("unreachable")

    def close(self):
        if self.con is not None:
            self.con.close()
            self.con = None


def rank(xs, p):
    """Nearest-rank percentile of a list (None when empty)."""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[max(0, math.ceil(p * len(xs)) - 1)]


# ---------------------------------------------------------------- preparing

def prepare(srv, offs, workdir):
    """Each officer's units and members through the API; the request files
    of the wrk kinds. Returns the officers kept (with "branches"), the
    files, and counts."""
    c = Client(srv.base)
    kept = []
    try:
        for o in offs:
            st, page, _ = c.call("GET", "/api/v1/units/%s/children?limit=500" % o["unit"], o["token"])
            if st != 200:
                b.die("GET children of %s as %s: %d %s" % (o["unit"], o["user"], st, page))
            branches = [u["code"] for u in page["items"] if u.get("level") in ("branch", "group")]
            st, page, _ = c.call("GET", "/api/v1/members?" + urllib.parse.urlencode(
                {"unit": o["unit"], "limit": EDIT_MEMBERS + MOVE_MEMBERS}), o["token"])
            if st != 200:
                b.die("GET members of %s as %s: %d %s" % (o["unit"], o["user"], st, page))
            items = page["items"]
            if len(branches) < 2 or len(items) < EDIT_MEMBERS + MOVE_MEMBERS:
                b.log("officer %s at %s left out: %d branches, %d members" % (o["user"], o["unit"], len(branches),
                                                                             len(items)))
                continue
            kept.append(dict(o, branches=branches, edit=[m["id"] for m in items[:EDIT_MEMBERS]],
                             move=[(m["id"], m["unit"]["code"] if isinstance(m["unit"], dict) else m["unit"])
                                   for m in items[EDIT_MEMBERS:]]))
    finally:
        c.close()
    if len(kept) < max(1, len(offs) // 2):
        b.die("only %d of %d officers have two branches and %d members" % (len(kept), len(offs),
                                                                            EDIT_MEMBERS + MOVE_MEMBERS))
    lines = {k: [] for k, _, _, _ in KINDS if k != "import"}
    for o in kept:
        u, t = o["unit"], o["token"]
        lines["unit"].append(("GET", t, "/api/v1/units/%s" % u, ""))
        lines["list"].append(("GET", t, "/api/v1/members?" + urllib.parse.urlencode({"unit": u, "limit": 50}), ""))
        lines["stats"].append(("GET", t, "/api/v1/reports/members?" + urllib.parse.urlencode({"unit": u}), ""))
    # search: each officer's words in turn, officers interleaved
    for j in range(SEARCH_WORDS):
        for n, o in enumerate(kept):
            q = mb.QUERIES[(n * SEARCH_WORDS + j) % len(mb.QUERIES)]
            lines["search"].append(("GET", o["token"], "/api/v1/members?" + urllib.parse.urlencode(
                {"q": q, "unit": o["unit"], "limit": 50}), ""))
    # edits: a round with the first note, a round with the second, so that
    # each PATCH changes the record
    for note in ("month-end bench: a", "month-end bench: b"):
        for j in range(EDIT_MEMBERS):
            for o in kept:
                lines["edit"].append(("PATCH", o["token"], "/api/v1/members/%d" % o["edit"][j],
                                      json.dumps({"notes": note}, ensure_ascii=False)))
    # transfers: a round of moves to another branch of her commune, then a
    # round of moves back (the same day: the first move undone)
    there, back = [], []
    for j in range(MOVE_MEMBERS):
        for o in kept:
            mid, home = o["move"][j]
            other = next(x for x in o["branches"] if x != home)
            there.append(("POST", o["token"], "/api/v1/members/%d/transfer" % mid, json.dumps({"to": other})))
            back.append(("POST", o["token"], "/api/v1/members/%d/transfer" % mid, json.dumps({"to": home})))
    lines["transfer"] = there + back
    files = {}
    for k, ls in lines.items():
        path = os.path.join(workdir, "monthend-%s.tsv" % k)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
            for method, tok, p, body in ls:
                f.write("%s\t%s\t%s\t%s\n" % (method, tok, p, body))
        files[k] = path
    # every read answers 200 before the mix
    c = Client(srv.base)
    try:
        for k in ("unit", "list", "search", "stats"):
            method, tok, p, _ = lines[k][0]
            st, obj, _ = c.call(method, p, tok)
            if st != 200:
                b.die("%s: %s %s answered %d %s" % (k, method, p, st, obj))
    finally:
        c.close()
    b.log("prepared %d officers: %s" % (len(kept), ", ".join("%s %d" % (k, len(v)) for k, v in lines.items())))
    return kept, files, lines


def home(srv, kept):
    """Every moved member back in her own branch (a run of the mix ends in
    the middle of a round): the next run's moves there all succeed."""
    c = Client(srv.base)
    moved = 0
    try:
        for o in kept:
            for mid, unit in o["move"]:
                st, m, _ = c.call("GET", "/api/v1/members/%d" % mid, o["token"])
                if st != 200:
                    b.die("GET member %d as %s: %d %s" % (mid, o["user"], st, m))
                now = m["unit"]["code"] if isinstance(m["unit"], dict) else m["unit"]
                if now != unit:
                    st, r, _ = c.call("POST", "/api/v1/members/%d/transfer" % mid, o["token"], body={"to": unit})
                    if st != 200:
                        b.die("moving member %d home to %s: %d %s" % (mid, unit, st, r))
                    moved += 1
    finally:
        c.close()
    return moved


def warm(srv, kept):
    """One request with each officer's token: its last use is recorded now
    (a write, at most once a minute per token), not in the run."""
    c = Client(srv.base)
    try:
        for o in kept:
            c.call("GET", "/api/v1/units/%s" % o["unit"], o["token"])
    finally:
        c.close()
    return len(kept)


def alone(srv, lines, n):
    """Each wrk kind alone on one connection, before the mix: n requests
    one after another (the transfers as n/2 moves there and back, so that
    the mix finds every member at home): p50, p99, errors."""
    c = Client(srv.base)
    out = {}
    try:
        for k, _, _, _ in KINDS:
            if k == "import":
                continue
            ls = lines[k]
            if k == "transfer":
                half = len(ls) // 2
                seq = [x for j in range(max(1, n // 2)) for x in (ls[j % half], ls[half + j % half])]
            else:
                seq = [ls[j % len(ls)] for j in range(n)]
            times, errors, first, slow = [], 0, None, (0, "")
            for j, (method, tok, p, body) in enumerate(seq):
                st, obj, ms = c.call(method, p, tok, body=body.encode() if body else None)
                times.append(ms)
                slow = max(slow, (ms, "#%d %s %s %s" % (j + 1, method, p, body)))
                if not 200 <= st < 300:
                    errors += 1
                    first = first or "%s %s %s: %d %s" % (method, p, body, st,
                                                          json.dumps(obj, ensure_ascii=False)[:300])
            out[k] = {"n": len(times), "p50": rank(times, 0.50), "p99": rank(times, 0.99), "errors": errors,
                      "slowest": "%.0f ms: %s" % slow}
            if slow[0] > 100:
                b.log("alone: %s: the slowest, %s" % (k, out[k]["slowest"]))
            if first:
                out[k]["first_error"] = first
                b.log("alone: %s: %d errors, the first: %s" % (k, errors, first))
    finally:
        c.close()
    b.log("alone: %s" % "; ".join("%s %.1f/%.1f ms%s" % (k, v["p50"], v["p99"], " errors %d" % v["errors"]
                                                          if v["errors"] else "") for k, v in out.items()))
    return out


# ---------------------------------------------------------------- imports

class Importer:
    """The import connections: one thread each, an import after another,
    each for the next officer, until the deadline."""

    def __init__(self, srv, offs, threads, deadline, serial):
        self.srv, self.offs, self.deadline = srv, offs, deadline
        self.lock = threading.Lock()
        self.serial = serial          # [next number] shared across runs: ID numbers stay new
        self.next = 0
        self.total_ms, self.req_ms, self.errors, self.done_rows = [], [], {}, 0
        self.polls = 0
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        for t in self.threads:
            t.join()

    def error(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1

    def csv(self, o):
        with self.lock:
            first = self.serial[0]
            self.serial[0] += IMPORT_ROWS
        rng = random.Random(first)
        out = ["DANH SÁCH HỘI VIÊN MỚI,,,,,,,", ",".join(CSV_HEADER)]
        for i in range(IMPORT_ROWS):
            n = first + i
            year = 1955 + n % 50
            # province 001, a woman of the 1900s or 2000s, serials from
            # 900000: the generator numbers each prefix from 000000
            cccd = "001%s%02d%06d" % ("1" if year < 2000 else "3", year % 100, 900000 + n // 50 % 100000)
            name = "%s %s %s" % (rng.choice(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"]),
                                 rng.choice(["Thị", "Thị Thu", "Thị Ngọc", "Thị Minh"]),
                                 rng.choice(["Hoa", "Lan", "Mai", "Hương", "Ánh", "Tuyết", "Linh", "Trang"]))
            out.append(",".join([str(i + 1), name, "%02d/%02d/%04d" % (1 + n % 28, 1 + n % 12, year), "Kinh", cccd,
                                 o["branches"][i % len(o["branches"])], "09%08d" % rng.randrange(10 ** 8),
                                 "Thôn %d" % (1 + i % 9)]))
        return ("\r\n".join(out) + "\r\n").encode("utf-8")

    def timed(self, c, *args, **kw):
        st, obj, ms = c.call(*args, **kw)
        with self.lock:
            self.req_ms.append(ms)
        return st, obj

    def wait(self, c, o, job, until):
        """Poll the job until it leaves `until` (checking/committing)."""
        while job.get("status") in until:
            time.sleep(POLL)
            st, job = self.timed(c, "GET", "/api/v1/imports/%d" % job["id"], o["token"])
            with self.lock:
                self.polls += 1
            if st != 200:
                return None, st
        return job, 200

    def one(self, c, o):
        body = self.csv(o)
        t0 = time.monotonic()
        st, job = self.timed(c, "POST", "/api/v1/imports?" + urllib.parse.urlencode(
            {"unit": o["unit"], "file_name": "thang-%s.csv" % o["user"]}), o["token"], body=body,
            ctype="application/octet-stream")
        if st != 202:
            return self.error("upload %d%s" % (st, " " + job["error"]["code"] if job and "error" in job else ""))
        job, st = self.wait(c, o, job, ("checking",))
        if job is None:
            return self.error("poll %d" % st)
        if job["status"] != "checked" or job["report"]["invalid"]:
            return self.error("check %s, %s invalid" % (job["status"], (job.get("report") or {}).get("invalid")))
        jid = job["id"]
        for _ in range(250):
            st, job = self.timed(c, "POST", "/api/v1/imports/%d/commit" % jid, o["token"], body={"mode": "all"})
            if st == 409 and job and job.get("error", {}).get("code") == "import_running":
                # the job reads `checked` while its check still holds its
                # place among the running ones: counted, then sent again
                self.error("commit 409 import_running (job read `checked`; sent again)")
                time.sleep(POLL)
                continue
            break
        if st != 202:
            return self.error("commit %d%s" % (st, " " + job["error"]["code"] if job and "error" in job else ""))
        job, st = self.wait(c, o, job, ("checked", "committing"))
        if job is None:
            return self.error("poll %d" % st)
        rep = job.get("report") or {}
        if job["status"] != "done" or not rep.get("stored") or rep.get("created") != IMPORT_ROWS:
            return self.error("commit %s, %s created" % (job["status"], rep.get("created")))
        with self.lock:
            self.total_ms.append((time.monotonic() - t0) * 1000)
            self.done_rows += IMPORT_ROWS

    def loop(self):
        c = Client(self.srv.base)
        try:
            while time.monotonic() < self.deadline:
                with self.lock:
                    o = self.offs[self.next % len(self.offs)]
                    self.next += 1
                try:
                    self.one(c, o)
                except (OSError, http.client.HTTPException, KeyError, TypeError) as e:
                    self.error("exception %s" % type(e).__name__)
                    c.close()
                if THINK_MS > 0:
                    time.sleep(THINK_MS / 1000)
        finally:
            c.close()


# ---------------------------------------------------------------- search probe

def probe_url(unit, i):
    return "/api/v1/members?" + urllib.parse.urlencode({"q": mb.QUERIES[i % len(mb.QUERIES)], "unit": unit,
                                                        "limit": 50})


def probe(srv, token, unit, count=None, deadline=None, out=None):
    """Searches one after another on one connection: SEARCHES of them, or
    until the deadline. Returns (times ms, errors)."""
    c = Client(srv.base)
    times, errors, i = [], 0, 0
    try:
        while (count is not None and i < count) or (deadline is not None and time.monotonic() < deadline):
            st, _, ms = c.call("GET", probe_url(unit, i), token)
            times.append(ms)
            errors += st != 200
            i += 1
    finally:
        c.close()
    if out is not None:
        out.extend([times, errors])
    return times, errors


# ---------------------------------------------------------------- one run

def parse_wrk(text):
    m = re.search(r"MONTHEND requests=(\d+) seconds=([0-9.]+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+) "
                  r"socket=(\d+)/(\d+)/(\d+)/(\d+) status=(\S*)", text)
    if not m:
        return None
    status = {}
    for part in filter(None, m.group(10).split(",")):
        k, v = part.split(":")
        status[k] = int(v)
    n, secs = int(m.group(1)), float(m.group(2))
    return {"requests": n, "seconds": secs, "rps": n / secs if secs else None, "p50": int(m.group(3)) / 1000,
            "p99": int(m.group(4)) / 1000, "max": int(m.group(5)) / 1000,
            "socket": sum(int(m.group(i)) for i in range(6, 10)), "status": status}


def one_run(srv, files, conns, kept, admin_token, province, serial):
    procs = {}
    t0 = time.monotonic()
    deadline = t0 + SECONDS
    for k, _, _, _ in KINDS:
        if k == "import" or k not in ONLY:
            continue
        procs[k] = subprocess.Popen(["wrk", "-t1", "-c%d" % conns[k], "-d%ds" % SECONDS, "--timeout", "30s",
                                     "-s", LUA, srv.base, "--", files[k]],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    env=dict(os.environ, BENCH_THINK_MS=str(THINK_MS)))
    imp = Importer(srv, kept, conns["import"] if "import" in ONLY else 0, deadline, serial)
    imp.start()
    probed = []
    pt = threading.Thread(target=probe, args=(srv, admin_token, province),
                          kwargs={"deadline": deadline, "out": probed}, daemon=True)
    pt.start()
    res = {}
    for k, _, _, _ in KINDS:
        if k not in procs:
            if k != "import":
                res[k] = {"conns": 0, "requests": 0, "seconds": SECONDS, "rps": None, "p50": None, "p99": None,
                          "max": None, "socket": 0, "status": {}, "errors": 0}
            continue
        out, _ = procs[k].communicate()
        r = parse_wrk(out)
        if r is None:
            b.die("wrk for %s: no figures:\n%s" % (k, out[-2000:]))
        r["first_errors"] = dict(re.findall(r"^MONTHEND_FIRST (\d+) (.*)$", out, re.M))
        for st, body in r["first_errors"].items():
            b.log("%s: the first %s answer: %s" % (k, st, body))
        r["errors"] = sum(v for s, v in r["status"].items() if not s.startswith("2")) + r["socket"]
        r["conns"] = conns[k]
        res[k] = r
    imp.join()
    pt.join()
    elapsed = time.monotonic() - t0
    n = len(imp.total_ms)
    res["import"] = {"conns": conns["import"], "requests": n, "seconds": elapsed, "rps": n / elapsed,
                     "p50": rank(imp.total_ms, 0.50), "p99": rank(imp.total_ms, 0.99),
                     "max": max(imp.total_ms) if imp.total_ms else None,
                     "req_p50": rank(imp.req_ms, 0.50), "req_p99": rank(imp.req_ms, 0.99),
                     "http_requests": len(imp.req_ms), "polls": imp.polls, "rows": imp.done_rows,
                     "errors": sum(imp.errors.values()), "status": dict(imp.errors), "socket": 0}
    times, perr = probed
    res["probe"] = {"n": len(times), "p50": rank(times, 0.50), "p99": rank(times, 0.99),
                    "max": max(times) if times else None, "errors": perr}
    return res


def cpu_ticks(pid):
    """(user, system) clock ticks of the process so far, all its threads."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def bench_store(store, url, offs, callers, size_fn):
    workdir = tempfile.mkdtemp(prefix="monthend-")
    old_tmp = os.environ.get("TMPDIR")
    if store == "pg":
        # the server's spool folder for a PostgreSQL database is in $TMPDIR:
        # this run's folder, removed with it
        os.environ["TMPDIR"] = workdir
    try:
        srv = b.Server(url)
    finally:
        if old_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_tmp
    conns = {k: n if k in ONLY else 0 for k, n in shares(CONNS).items()}
    out = {"runs": [], "conns": conns, "think_ms": THINK_MS}
    try:
        units, tokens = callers
        kept, files, lines = prepare(srv, offs, workdir)
        out["officers"] = len(kept)
        out["alone"] = alone(srv, lines, ALONE)
        idle, ierr = probe(srv, tokens["admin"], units["province"]["code"], count=SEARCHES)
        out["probe_idle"] = {"n": len(idle), "p50": rank(idle, 0.50), "p99": rank(idle, 0.99), "errors": ierr}
        b.log("%s: search probe idle: p50 %.1f ms, p99 %.1f ms" % (store, out["probe_idle"]["p50"],
                                                                   out["probe_idle"]["p99"]))
        serial = [int(time.time()) % 1000 * 5000]
        for run in range(RUNS):
            if "transfer" in ONLY and run:
                b.log("%s: %d members moved home before the run" % (store, home(srv, kept)))
            if WARM:
                b.log("%s: every token used once before the run (%d)" % (store, warm(srv, kept)))
            b.log("%s: the mix, run %d/%d (%d s, %s)" % (store, run + 1, RUNS, SECONDS,
                                                          ", ".join("%s %d" % kv for kv in conns.items())))
            cpu0, t0 = cpu_ticks(srv.proc.pid), time.monotonic()
            r = one_run(srv, files, conns, kept, tokens["admin"], units["province"]["code"], serial)
            cpu1, secs = cpu_ticks(srv.proc.pid), time.monotonic() - t0
            tick = os.sysconf("SC_CLK_TCK")
            r["cpu"] = {"total": (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) / tick / secs,
                        "kernel": (cpu1[1] - cpu0[1]) / tick / secs}
            if store == "sqlite":
                wal = url + "-wal"
                r["wal_bytes"] = os.path.getsize(wal) if os.path.exists(wal) else 0
            out["runs"].append(r)
            b.log("%s: %s; search probe p50 %.1f p99 %.1f ms" % (store, "; ".join(
                "%s %.0f/s p99 %s%s" % (k, r[k]["rps"] or 0, b.fmt_ms(r[k]["p99"]),
                                        " errors %d %s" % (r[k]["errors"], r[k]["status"]) if r[k]["errors"] else "")
                for k, _, _, _ in KINDS), r["probe"]["p50"] or 0, r["probe"]["p99"] or 0))
            b.log("%s: server CPU %.0f%% of a core (kernel %.0f%%)%s" % (
                store, 100 * r["cpu"]["total"], 100 * r["cpu"]["kernel"],
                "; WAL %.0f MiB" % (r["wal_bytes"] / 2 ** 20) if "wal_bytes" in r else ""))
        out["peak_kib"] = srv.peak_kib()
        out["anon_peak_kib"] = srv.anon_peak_kib()
        out["load_end"] = os.getloadavg()[0]
    finally:
        srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    out["db_bytes"] = size_fn()
    return out


# ---------------------------------------------------------------- report

def med(runs, kind, key):
    return b.median(r[kind].get(key) for r in runs)


def status_text(runs, kind):
    counts = {}
    for r in runs:
        for s, v in r[kind]["status"].items():
            if not s.startswith("2"):
                counts[s] = counts.get(s, 0) + v
        if r[kind].get("socket"):
            counts["socket"] = counts.get("socket", 0) + r[kind]["socket"]
    return ", ".join("%s ×%d" % kv for kv in sorted(counts.items())) or "0"


def render(results, info, meta, n_officers):
    m = info["machine"]
    lines = ["### %s — month-end mix: %s" % (info["when"], info["label"]), "",
             "- machine: %d cores (%s), %.0f GiB RAM, %s; shared with other work: 1-minute load average %.1f at the"
             " start, %s at the end of each store" % (m["nproc"], m["cpu"], m["mem_gib"], m["os"], m["load"],
                                                      ", ".join("%.1f (%s)" % (r["load_end"], s)
                                                                for s, r in results.items())),
             "- commit: %s" % info["commit"],
             "- command: `%s`" % info["command"],
             "- data: %s; %d commune officers (roles entry, viewer; each at another commune of today with %d+"
             " members), an API token each" % (meta["data"], n_officers, MIN_MEMBERS, ),
             "- the mix: %d connections%s, every kind at once for %d s, %d runs on one server, medians (errors summed"
             " over the runs): reads (unit page, member list, search in her commune, statistics of her commune"
             " today), writes (a note edited; a move to another branch of her commune and, a round later, back),"
             " imports (a CSV of %d new members: upload, check, commit; timed from the upload to `done`, polled"
             " every %d ms). Reads and writes: one `wrk -t1` per kind with bench/monthend.lua; imports: Python"
             " threads. Share = the kind's part of all operations (an import counts once)"
             % (CONNS, " (each pausing %d ms after every answer, BENCH_THINK_MS)" % THINK_MS if THINK_MS else
                " (no pause between an answer and the next request)", SECONDS, RUNS, IMPORT_ROWS, POLL * 1000),
             "- search probe: one more connection, bench_admin searching her province (%s) as members.py does,"
             " one request after another: %d requests before the mix (idle), then all through it"
             % (meta["units"]["province"]["code"], SEARCHES),
             "- alone: before the mix, each kind on one connection by itself, %d requests one after another"
             " (transfers: %d moves there and back), p50 / p99" % (ALONE, ALONE // 2),
             "", "| store | kind | alone p50 / p99 ms | connections | requests | share | requests/s | p50 ms | p99 ms"
                 " | errors |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for store, r in results.items():
        runs = r["runs"]
        total = statistics.median(sum(x[k]["requests"] for k, _, _, _ in KINDS) for x in runs)
        for k, name, _, _ in KINDS:
            n = med(runs, k, "requests")
            a = r["alone"].get(k)
            lines.append("| %s | %s | %s | %d | %.0f | %.1f%% | %.1f | %s | %s | %s |" % (
                store, name + (" (whole import)" if k == "import" else ""),
                "%s / %s%s" % (b.fmt_ms(a["p50"]), b.fmt_ms(a["p99"]), " (%d errors)" % a["errors"] if a["errors"]
                               else "") if a else "–", r["conns"][k], n,
                100.0 * n / total if total else 0, med(runs, k, "rps") or 0, b.fmt_ms(med(runs, k, "p50")),
                b.fmt_ms(med(runs, k, "p99")), status_text(runs, k)))
    lines += ["", "| store | all req/s | mix achieved (reads / writes / imports) | import HTTP requests p50 / p99 ms"
                  " | search probe idle p50 / p99 ms | search probe under the mix p50 / p99 ms"
                  " | server peak RSS (VmHWM) | database | server CPU in the mix (kernel) | WAL after each run |",
              "|---|---:|---|---|---|---|---:|---:|---:|---|"]
    for store, r in results.items():
        runs = r["runs"]
        grp = {}
        for g, _ in GROUPS:
            grp[g] = statistics.median(sum(x[k]["requests"] for k, _, gg, _ in KINDS if gg == g) for x in runs)
        tot = sum(grp.values())
        allrps = statistics.median(sum(x[k]["rps"] or 0 for k, _, _, _ in KINDS) for x in runs)
        perr = sum(x["probe"]["errors"] for x in runs) + r["probe_idle"]["errors"]
        lines.append("| %s | %.0f | %s | %s / %s | %s / %s | %s / %s%s | %s | %s | %s | %s |" % (
            store, allrps, " / ".join("%.1f%%" % (100.0 * grp[g] / tot if tot else 0) for g, _ in GROUPS),
            b.fmt_ms(med(runs, "import", "req_p50")), b.fmt_ms(med(runs, "import", "req_p99")),
            b.fmt_ms(r["probe_idle"]["p50"]), b.fmt_ms(r["probe_idle"]["p99"]),
            b.fmt_ms(med(runs, "probe", "p50")), b.fmt_ms(med(runs, "probe", "p99")),
            " (%d errors)" % perr if perr else "",
            "%.0f MiB (anonymous %.0f MiB)" % (r["peak_kib"] / 1024, r.get("anon_peak_kib", 0) / 1024)
            if r.get("peak_kib") else "–",
            "%.0f MiB" % (r["db_bytes"] / 2 ** 20) if r.get("db_bytes") else "–",
            "%.0f%% (%.0f%%)" % (100 * med(runs, "cpu", "total"), 100 * med(runs, "cpu", "kernel")),
            ", ".join("%.0f MiB" % (x["wal_bytes"] / 2 ** 20) for x in runs) if "wal_bytes" in runs[0] else "–"))
    lines.append("")
    lines.append("Targets (issue 17, at 20,000,000 members): search p99 under 20 ms also while the mix runs: %s."
                 % "; ".join("%s %s ms" % (s, b.fmt_ms(med(r["runs"], "probe", "p99"))) for s, r in results.items()))
    return "\n".join(lines) + "\n\n"


# ---------------------------------------------------------------- main

def sqlite_size(path):
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def pg_size(url):
    try:
        return b.pg_size(url)
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return None


def main():
    if not os.access(b.BIN, os.X_OK):
        b.die("%s is missing: run `make` first" % b.BIN)
    if not shutil.which("wrk"):
        b.die("wrk is missing (scripts/install-deps.sh installs it)")
    now = dt.datetime.now(dt.timezone.utc)
    commit = b.git("rev-parse", "--short", "HEAD") or "unknown"
    if b.git("status", "--porcelain", "--", "src", "meson.build"):
        commit += "+dirty"
    info = {"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit, "machine": b.machine(),
            "label": b.LABEL or b.git("log", "-1", "--format=%s")[:80],
            "command": " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k.startswith("BENCH_"))
                       + " make bench-monthend"}
    inplace = b.knob("BENCH_MEMBERS_DB", "")
    if inplace:
        db = inplace if b.is_url(inplace) else os.path.abspath(inplace)
        if b.is_url(db) and b.STORES != ["pg"]:
            b.die("BENCH_MEMBERS_DB=%s is a PostgreSQL database: BENCH_STORES=pg only" % db)
        b.ub("init", db)
        data = "%s, measured in place (its edits, moves and imports stay)" % db
    else:
        db, _ = mb.members_db()
        where = {"sqlite": "SQLite on a copy of it",
                 "pg": "PostgreSQL on a `unionbase copy` of it in the throw-away server of scripts/pg-test-server.sh"}
        data = ("the generated country (seed %s, scale %s) with %s members (`generate --no-tree --members %d`), %s"
                % (b.SEED, b.SCALE, f"{mb.MEMBERS:,}", mb.MEMBERS, "; ".join(where[s] for s in b.STORES if s in where)))
    callers = b.callers(db)
    offs = officers(db)
    meta = {"data": data, "units": callers[0]}
    results = {}
    for store in b.STORES:
        if store == "sqlite":
            if inplace:
                results["sqlite"] = bench_store("sqlite", db, offs, callers, lambda: sqlite_size(db))
                continue
            work = os.path.join(b.CACHE, "monthend-work.db")
            try:
                subprocess.run(["sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True)
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(work + suffix):
                        os.remove(work + suffix)
                    if os.path.exists(db + suffix):
                        shutil.copyfile(db + suffix, work + suffix)
                results["sqlite"] = bench_store("sqlite", work, offs, callers, lambda: sqlite_size(work))
            finally:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(work + suffix):
                        os.remove(work + suffix)
                shutil.rmtree(work + ".imports", ignore_errors=True)
        elif store == "pg" and inplace:
            results["pg"] = bench_store("pg", db, offs, callers, lambda: pg_size(db))
        elif store == "pg":
            pg = b.PgServer()
            try:
                url = pg.createdb("unionbase_bench_monthend")
                t0 = time.monotonic()
                b.ub("copy", db, url)
                b.log("pg: copied in %.0f s" % (time.monotonic() - t0))
                results["pg"] = bench_store("pg", url, offs, callers, lambda: pg_size(url))
            finally:
                # the copy is as large as the SQLite file, or larger: not kept
                subprocess.run(["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc",
                                "DROP DATABASE IF EXISTS unionbase_bench_monthend WITH (FORCE)"], capture_output=True)
                pg.stop()
        else:
            b.die("BENCH_STORES takes sqlite and pg, not %r" % store)
    section = render(results, info, meta, min(r["officers"] for r in results.values()))
    raw = os.path.join(b.CACHE, "monthend-%s.json" % now.strftime("%Y%m%dT%H%M%S"))
    with open(raw, "w", encoding="utf-8") as f:
        json.dump({"info": info, "data": data, "results": results}, f, indent=1, ensure_ascii=False)
    print(section)
    if b.WRITE:
        b.write_report(section)
        b.log("results added to %s (raw figures: %s)" % (os.path.relpath(b.OUT, b.TOP), os.path.relpath(raw, b.TOP)))


if __name__ == "__main__":
    main()
