#!/usr/bin/env python3
"""members.py - the member registry's benchmarks (issue 15, item 11; run by
`make bench-members`, not by `make test`).

What it does:
  1. The country of bench.py (cached), plus BENCH_MEMBERS members (default
     1,000,000) added by `unionbase generate --no-tree --members N`, cached as
     bench/cache/members-<country key>-<N>-<generator hash>.db.
  2. For each store (BENCH_STORES, default "sqlite pg"; PostgreSQL through a
     `unionbase copy` into the throw-away server): `unionbase serve`, then
     for the nation (bench_admin), the province and the commune of bench.py:
       - GET /api/v1/reports/members?unit=U&as_of=D for D today and
         2024-12-31, and for 2024-12-31 mapped onto today's units:
         BENCH_RUNS requests in a row, the median;
       - the same by plain SQL in the sqlite3 shell or psql over the same
         data, timed by the shell (.timer / \\timing), BENCH_PLAIN_RUNS times,
         the median: the report's figures (plain_sql_figures: nine
         statements, their times summed; mapped, plain_sql_mapped_figures:
         the same over a table of the units mapped into the subtree), and
         the members' count alone (members whose stay holds D in U's
         subtree, through the ancestry table; mapped, plain_sql_mapped);
         each ratio beside ours;
       - name search with a unit filter (the province): GET /api/v1/members
         ?q=...&unit=P for a list of common name beginnings: a first pass
         over the list (the slowest of it reported apart: pages not yet in
         the cache), then BENCH_SEARCHES requests round it, p50 and p99;
       - BENCH_WRITES edits of members of the province (PATCH notes, one
         after another): the median and the slowest.
  3. A dated section at the top of BENCHMARKS.md's results (BENCH_WRITE=0:
     print only).

Knobs: those of bench.py (BENCH_STORES, BENCH_RUNS, BENCH_SCALE, BENCH_SEED,
BENCH_BIN, BENCH_CACHE, BENCH_OUT, BENCH_WRITE, BENCH_LABEL), and
BENCH_MEMBERS=1000000, BENCH_SEARCHES=200, BENCH_WRITES=20,
BENCH_PLAIN_RUNS (default BENCH_RUNS: the plain SQL's runs),
BENCH_PLAIN_UNITS="admin province commune" (the callers whose units' figures
are also run by plain SQL: at 20,000,000 members on PostgreSQL, with the
database larger than the machine's memory, the nation's took many minutes
a statement), and
BENCH_MEMBERS_DB=PATH: a SQLite database of the generated country (seed
BENCH_SEED, scale BENCH_SCALE) with BENCH_MEMBERS members, made already
(`unionbase generate --members N`, or BENCH_GENERATE_KEEP=1 make
bench-generate), measured in place instead of a cached copy (the whole
country, 20,000,000 members, is too large to copy here): the benchmark's
users are added to it when missing, with new tokens, and its edits stay.
BENCH_MEMBERS_DB may be a postgresql:// URL (with BENCH_STORES=pg): that
database, holding the country already (`unionbase generate --members N`
into it, or `unionbase copy`), is measured in place the same way.

Standard library only.
"""

import datetime as dt
import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402

MEMBERS = int(b.knob("BENCH_MEMBERS", "1000000"))
SEARCHES = int(b.knob("BENCH_SEARCHES", "200"))
WRITES = int(b.knob("BENCH_WRITES", "20"))
RUNS = max(b.RUNS, 5)
# the plain SQL's runs apart: at 20,000,000 members the nation's figures by
# plain SQL take minutes a run
PLAIN_RUNS = max(1, int(b.knob("BENCH_PLAIN_RUNS", str(RUNS))))
PLAIN_UNITS = b.knob("BENCH_PLAIN_UNITS", "admin province commune").split()
QUERIES = ["nguyen", "tran thi", "le thi h", "pham", "hoang thi", "nguyen thi lan", "vu", "dang thi mai",
           "bui", "do thi", "ho", "ngo thi t", "huong", "nguyen thi thu", "mai"]


def members_db():
    """The cached country with BENCH_MEMBERS members, and its description."""
    db, meta = b.make_country()
    h = hashlib.sha256()
    for f in ("src/io/gen_members.c", "src/io/gen_members.h", "src/store/org_read.c"):
        with open(os.path.join(b.TOP, f), "rb") as fh:
            h.update(fh.read())
    path = os.path.join(b.CACHE, "members-%s-%d-%s.db" % (meta["key"], MEMBERS, h.hexdigest()[:8]))
    if os.path.exists(path):
        b.log("members: cached %s" % os.path.relpath(path, b.TOP))
        b.ub("init", path)
        return path, meta
    for f in os.listdir(b.CACHE):
        if f.startswith("members-"):
            os.remove(os.path.join(b.CACHE, f))
    tmp = path + ".tmp"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            shutil.copyfile(db + suffix, tmp + suffix)
    b.log("members: generate --no-tree --members %d (minutes, once)" % MEMBERS)
    t0 = time.monotonic()
    b.ub("generate", "--no-tree", "--members", str(MEMBERS), "--seed", b.SEED, "--db", tmp)
    meta = dict(meta, members_seconds=time.monotonic() - t0)
    subprocess.run(["sqlite3", tmp, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.replace(tmp + suffix, path + suffix)
    os.replace(tmp, path)
    b.log("members: %d in %.0f s" % (MEMBERS, meta["members_seconds"]))
    return path, meta


def given_or_cached_db():
    """BENCH_MEMBERS_DB brought to the current schema, with the benchmark's
    callers, or else the cached country with BENCH_MEMBERS members; and its
    description."""
    if not b.knob("BENCH_MEMBERS_DB", ""):
        return members_db()
    db = b.knob("BENCH_MEMBERS_DB", "")
    if b.is_url(db):
        if b.STORES != ["pg"]:
            b.die("BENCH_MEMBERS_DB=%s is a PostgreSQL database: BENCH_STORES=pg only" % db)
    else:
        db = os.path.abspath(db)
    b.ub("init", db)
    units, tokens = b.callers(db)
    return db, {"seed": b.SEED, "scale": b.SCALE, "units": units, "tokens": tokens}


def db_size(db):
    """The database's size on disk in bytes (PostgreSQL: its
    pg_database_size), and the store it is in."""
    if not b.is_url(db):
        return os.path.getsize(db), "SQLite"
    return b.pg_size(db), "PostgreSQL"


def plain_sql(unit_code, day):
    """The count of members whose stay holds day in the subtree of the unit
    with this code on that day, written as one would by hand."""
    return ("SELECT count(*) FROM units u JOIN ancestry a ON a.ancestor = u.id"
            " AND a.valid_from <= '{d}' AND a.valid_to > '{d}'"
            " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= '{d}' AND m.valid_to > '{d}'"
            " WHERE u.code = '{c}' AND u.valid_from <= '{d}' AND u.valid_to > '{d}';").format(c=unit_code, d=day)


def heirs_sql(start, today):
    """h(id, at, n): each unit of start (a WHERE on units) followed to its
    heir of today (the one target of the merge that ended it, else its
    parent on its last day): plain_sql_mapped and plain_sql_mapped_figures."""
    return ("WITH RECURSIVE h(id, at, n) AS (SELECT id, id, 0 FROM units WHERE " + start +
            " UNION ALL SELECT h.id, coalesce((SELECT o.unit_id FROM event_units m"
            " JOIN events ev ON ev.id = m.event_id AND ev.kind = 'merge' JOIN event_units o ON o.event_id = ev.id"
            " AND o.role = 'target' AND o.unit_id <> m.unit_id WHERE m.unit_id = x.id AND m.role = 'source'"
            " ORDER BY ev.date LIMIT 1), (SELECT up.parent_id FROM unit_parents up WHERE up.unit_id = x.id"
            " AND up.valid_from < x.valid_to AND up.valid_to >= x.valid_to)), h.n + 1 FROM h JOIN units x"
            " ON x.id = h.at AND NOT (x.valid_from <= '{t}' AND x.valid_to > '{t}') WHERE h.n < 64)").replace(
                "{t}", today)


def plain_sql_mapped(unit_code, day, today):
    """The count of members on day in the units whose heir today (the one
    target of the merge that ended a unit, else its parent on its last
    day, until a unit of today) lies in the subtree of the unit of today
    with this code: the view mapped onto today's units, by hand."""
    return (heirs_sql("valid_from <= '{d}' AND valid_to > '{d}'", today) +
            ", mapped AS MATERIALIZED (SELECT h.id FROM h JOIN ancestry a ON a.descendant = h.at"
            " AND a.valid_from <= '{t}' AND a.valid_to > '{t}' JOIN units u ON u.id = a.ancestor AND u.code = '{c}'"
            " AND u.valid_from <= '{t}' AND u.valid_to > '{t}')"
            " SELECT count(*) FROM mapped JOIN memberships m ON m.unit_id = mapped.id AND m.valid_from <= '{d}'"
            " AND m.valid_to > '{d}';").format(c=unit_code, d=day, t=today)


def plain_sql_mapped_figures(unit_code, day, today):
    """The report's figures in the view mapped onto today's units, by plain
    SQL: first a table of the units that count (every unit of the period
    followed to its heir of today, kept when that lies in the subtree of
    today, with the child of today it lies under: 0 for the unit itself),
    analysed, then plain_sql_figures' nine statements over it (the
    planner would otherwise take the new table for a large one and scan the
    payments of every year for its units). The transfers in and
    out are those whose other stay lies in no unit that counts."""
    year = day[:4]
    before = (dt.date.fromisoformat(year + "-01-01") - dt.timedelta(days=1)).isoformat()
    after = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    f = {"c": unit_code, "d": day, "t": today, "y": year, "from": year + "-01-01", "b": before, "a": after,
         "l31": born_by(day, 31), "l46": born_by(day, 46), "l61": born_by(day, 61)}
    def now(t):
        return "%s.valid_from <= '{t}' AND %s.valid_to > '{t}'" % (t, t)
    target = "(SELECT u.id FROM units u WHERE u.code = '{c}' AND " + now("u") + ")"
    on_day = "m.valid_from <= '{d}' AND m.valid_to > '{d}'"
    outside = ("NOT EXISTS (SELECT 1 FROM memberships o JOIN mapped ox ON ox.id = o.unit_id"
               " WHERE o.person_id = m.person_id AND o.%s = m.%s)")
    sql = [
        "CREATE TEMP TABLE mapped (id BIGINT PRIMARY KEY, child BIGINT NOT NULL)",
        "INSERT INTO mapped (id, child) " + heirs_sql("valid_to > '{b}'", today) +
        " SELECT h.id, coalesce((SELECT k.ancestor FROM ancestry k JOIN unit_parents c ON c.unit_id = k.ancestor"
        " AND c.parent_id = a.ancestor AND " + now("c") + " WHERE k.descendant = h.at AND " + now("k") +
        "), 0) FROM h JOIN ancestry a ON a.descendant = h.at AND " + now("a") + " AND a.ancestor = " + target,
        "ANALYZE mapped",
        "SELECT sum(n) FROM (SELECT count(*) AS n FROM mapped x JOIN memberships m ON m.unit_id = x.id AND " +
        on_day + " JOIN persons p ON p.id = m.person_id"
        " GROUP BY CASE WHEN p.birth_date > '{l31}' THEN 0 WHEN p.birth_date > '{l46}' THEN 1"
        " WHEN p.birth_date > '{l61}' THEN 2 ELSE 3 END, m.kind, p.digital, p.ethnicity, p.religion, p.education,"
        " p.occupation, p.circumstances) g",
        "SELECT x.child, count(*) FROM mapped x JOIN memberships m ON m.unit_id = x.id AND " + on_day +
        " WHERE x.child <> 0 GROUP BY x.child",
        "SELECT x.child, count(*) FROM mapped x JOIN units b ON b.id = x.id AND b.level IN ('branch', 'group')"
        " AND b.valid_from <= '{d}' AND b.valid_to > '{d}' WHERE x.child <> 0 GROUP BY x.child",
        "SELECT count(*) FROM mapped x JOIN units b ON b.id = x.id AND b.level IN ('branch', 'group')"
        " AND b.valid_from <= '{d}' AND b.valid_to > '{d}'",
        "SELECT count(*) FROM mapped x JOIN memberships m ON m.unit_id = x.id AND m.valid_from <= '{b}'"
        " AND m.valid_to > '{b}'",
        "SELECT m.start_reason, count(*), sum(CASE WHEN m.start_reason = 'transferred' AND " +
        outside % ("valid_to", "valid_from") + " THEN 1 ELSE 0 END) FROM mapped x JOIN memberships m"
        " ON m.unit_id = x.id AND m.valid_from >= '{from}' AND m.valid_from <= '{d}' GROUP BY m.start_reason",
        "SELECT m.end_reason, count(*), sum(CASE WHEN m.end_reason = 'transferred' AND " +
        outside % ("valid_from", "valid_to") + " THEN 1 ELSE 0 END) FROM mapped x JOIN memberships m"
        " ON m.unit_id = x.id AND m.valid_to > '{from}' AND m.valid_to <= '{a}' GROUP BY m.end_reason",
        "SELECT count(*), sum(dp.amount) FROM mapped x JOIN dues_payments dp ON dp.unit_id = x.id AND dp.year = {y}",
        "SELECT count(*), sum(dp.amount) FROM mapped x JOIN dues_payments dp ON dp.unit_id = x.id"
        " AND dp.paid_on >= '{from}' AND dp.paid_on <= '{d}'",
    ]
    return [x.format(**f) + ";" for x in sql]


def born_by(day, years):
    """The latest birth date of someone aged `years` or more on day (the
    report's age bands: person_born_by; 29 February as 28 February)."""
    d = dt.date.fromisoformat(day)
    try:
        return d.replace(year=d.year - years).isoformat()
    except ValueError:
        return d.replace(year=d.year - years, day=28).isoformat()


def plain_sql_figures(unit_code, day):
    """The report's figures by plain SQL, as one would write them by hand
    over the same tables: the members of the day by every breakdown (age
    band, honorary, digital, ethnic group, religion, education, occupation,
    circumstances) in one grouped query; each child's members and branches
    and groups; the flows of the period (1 January to the day): the members
    the day before it, the stays begun and ended by reason, with the moves
    from and to units outside the subtree; the dues of the year and those
    paid in the period. The first statement's count is the total."""
    year = day[:4]
    before = (dt.date.fromisoformat(year + "-01-01") - dt.timedelta(days=1)).isoformat()
    after = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    f = {"c": unit_code, "d": day, "y": year, "from": year + "-01-01", "b": before, "a": after,
         "l31": born_by(day, 31), "l46": born_by(day, 46), "l61": born_by(day, 61)}
    top = ("FROM units u JOIN ancestry a ON a.ancestor = u.id AND a.valid_from <= '{d}' AND a.valid_to > '{d}'")
    unit = " WHERE u.code = '{c}' AND u.valid_from <= '{d}' AND u.valid_to > '{d}'"
    kids = ("FROM units u JOIN unit_parents c ON c.parent_id = u.id AND c.valid_from <= '{d}' AND c.valid_to > '{d}'"
            " JOIN ancestry a ON a.ancestor = c.unit_id AND a.valid_from <= '{d}' AND a.valid_to > '{d}'")
    outside = ("NOT EXISTS (SELECT 1 FROM memberships o JOIN ancestry oa ON oa.descendant = o.unit_id"
               " AND oa.ancestor = u.id AND oa.valid_from <= '{d}' AND oa.valid_to > '{d}'"
               " WHERE o.person_id = m.person_id AND o.%s = m.%s)")
    sql = [
        "SELECT sum(n) FROM (SELECT count(*) AS n " + top +
        " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= '{d}' AND m.valid_to > '{d}'"
        " JOIN persons p ON p.id = m.person_id" + unit +
        " GROUP BY CASE WHEN p.birth_date > '{l31}' THEN 0 WHEN p.birth_date > '{l46}' THEN 1"
        " WHEN p.birth_date > '{l61}' THEN 2 ELSE 3 END, m.kind, p.digital, p.ethnicity, p.religion, p.education,"
        " p.occupation, p.circumstances) g",
        "SELECT c.unit_id, count(*) " + kids +
        " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= '{d}' AND m.valid_to > '{d}'" + unit +
        " GROUP BY c.unit_id",
        "SELECT c.unit_id, count(*) " + kids +
        " JOIN units b ON b.id = a.descendant AND b.level IN ('branch', 'group')" + unit + " GROUP BY c.unit_id",
        "SELECT count(*) " + top + " JOIN units b ON b.id = a.descendant AND b.level IN ('branch', 'group')" + unit,
        "SELECT count(*) " + top +
        " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= '{b}' AND m.valid_to > '{b}'" + unit,
        "SELECT m.start_reason, count(*), sum(CASE WHEN m.start_reason = 'transferred' AND " +
        outside % ("valid_to", "valid_from") + " THEN 1 ELSE 0 END) " + top +
        " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from >= '{from}' AND m.valid_from <= '{d}'" +
        unit + " GROUP BY m.start_reason",
        "SELECT m.end_reason, count(*), sum(CASE WHEN m.end_reason = 'transferred' AND " +
        outside % ("valid_from", "valid_to") + " THEN 1 ELSE 0 END) " + top +
        " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_to > '{from}' AND m.valid_to <= '{a}'" +
        unit + " GROUP BY m.end_reason",
        "SELECT count(*), sum(dp.amount) " + top + " JOIN dues_payments dp ON dp.unit_id = a.descendant"
        " AND dp.year = {y}" + unit,
        "SELECT count(*), sum(dp.amount) " + top + " JOIN dues_payments dp ON dp.unit_id = a.descendant"
        " AND dp.paid_on >= '{from}' AND dp.paid_on <= '{d}'" + unit,
    ]
    return [x.format(**f) + ";" for x in sql]


def time_script(store, url, stmts):
    """(first statement's first number, total milliseconds) of the
    statements run one after another in one session of the store's shell,
    each timed by it."""
    if store == "sqlite":
        p = subprocess.run(["sqlite3", url], input=".timer on\n" + "\n".join(stmts) + "\n", capture_output=True,
                           text=True)
        times = [float(x) * 1000 for x in re.findall(r"Run Time: real ([0-9.]+)", p.stdout)]
    else:
        args = ["psql", url, "-qtA", "-c", "\\timing on"]
        for x in stmts:
            args += ["-c", x]
        p = subprocess.run(args, capture_output=True, text=True)
        times = [float(x) for x in re.findall(r"Time: ([0-9.]+) ms", p.stdout)]
    if p.returncode != 0 or len(times) != len(stmts):
        b.die("plain SQL script: %d of %d statements timed: %s" % (len(times), len(stmts), p.stderr.strip()))
    first = next(x for x in p.stdout.splitlines() if x.strip() and not x.startswith(("Run Time", "Time:", "Timing")))
    return int(first.split("|")[0]), sum(times)


def time_sql(store, url, sql):
    """(count, milliseconds) of sql in the store's own shell."""
    if store == "sqlite":
        # the shell times only what it reads from its input, not arguments
        p = subprocess.run(["sqlite3", url], input=".timer on\n" + sql + "\n", capture_output=True, text=True)
        count = int(p.stdout.split()[0])
        m = re.search(r"Run Time: real ([0-9.]+)", p.stdout)
        return count, float(m.group(1)) * 1000
    p = subprocess.run(["psql", url, "-qtA", "-c", "\\timing on", "-c", sql], capture_output=True, text=True)
    lines = [x for x in p.stdout.splitlines() if x.strip()]
    count = int(next(x for x in lines if x.strip().isdigit()))
    m = re.search(r"Time: ([0-9.]+) ms", p.stdout)
    return count, float(m.group(1))


def report_ms(srv, token, code, day, mapped=False):
    q = {"unit": code, "as_of": day}
    if mapped:
        q["mapped"] = "true"
    url = srv.base + "/api/v1/reports/members?" + urllib.parse.urlencode(q)
    r = b.sample(url, token, RUNS)
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=600) as resp:
        r["total"] = json.loads(resp.read())["total"]
    return r["p50"], r


def search(srv, token, province):
    """One first pass over the queries, each read from a cold cache (its
    slowest kept apart), then SEARCHES requests round the list: p50, p99."""
    def url(q):
        return srv.base + "/api/v1/members?" + urllib.parse.urlencode({"q": q, "unit": province, "limit": 50})
    first = max(b.sample(url(q), token, 1)["p50"] for q in QUERIES)
    times = sorted(b.sample(url(QUERIES[i % len(QUERIES)]), token, 1)["p50"] for i in range(SEARCHES))
    p50, p99 = times[len(times) // 2], times[max(0, -(-99 * len(times) // 100) - 1)]
    b.log("search: first pass slowest %.1f ms; then %d requests, p50 %.1f ms, p99 %.1f ms" %
          (first, len(times), p50, p99))
    return {"p50": p50, "p99": p99, "first_max": first}


def writes(srv, token, province):
    """WRITES edits of a member's notes in the province (PATCH, each a
    write with its kept figures and search rows taken out and put back):
    the median and the slowest."""
    u = urllib.parse.urlsplit(srv.base)
    con = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    hdr = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    try:
        con.request("GET", "/api/v1/members?" + urllib.parse.urlencode({"unit": province, "limit": WRITES}), headers=hdr)
        r = con.getresponse()
        ids = [m["id"] for m in json.loads(r.read())["items"]]
        times = []
        for i, mid in enumerate(ids):
            t0 = time.monotonic()
            con.request("PATCH", "/api/v1/members/%d" % mid, body=json.dumps({"notes": "bench %d" % i}), headers=hdr)
            r = con.getresponse()
            r.read()
            if r.status != 200:
                b.die("PATCH member %d: %d" % (mid, r.status))
            times.append((time.monotonic() - t0) * 1000)
    finally:
        con.close()
    times.sort()
    b.log("writes: %d edits, median %.1f ms, slowest %.1f ms" % (len(times), times[len(times) // 2], times[-1]))
    return {"median": times[len(times) // 2], "max": times[-1], "n": len(times)}


def bench_store(store, url, meta):
    today = dt.date.today().isoformat()
    srv = b.Server(url)
    out = {"reports": [], "search": None}
    try:
        for who in ("admin", "province", "commune"):
            code, token = meta["units"][who]["code"], meta["tokens"][who]
            for day, mapped in ((today, False), ("2024-12-31", False), ("2024-12-31", True)):
                ours, raw = report_ms(srv, token, code, day, mapped)
                counts, plain, full = [], [], []
                if who not in PLAIN_UNITS:
                    out["reports"].append({"who": who, "unit": code, "day": day + (" mapped" if mapped else ""),
                                           "ours_ms": ours, "plain_ms": None, "plain_count": raw["total"],
                                           "figures_ms": None})
                    b.log("%s: %s %s%s: ours %.1f ms (%d members; no plain SQL: BENCH_PLAIN_UNITS)" %
                          (store, code, day, " mapped" if mapped else "", ours, raw["total"]))
                    continue
                for _ in range(PLAIN_RUNS):
                    n, ms = time_sql(store, url, plain_sql_mapped(code, day, today) if mapped else plain_sql(code, day))
                    counts.append(n)
                    plain.append(ms)
                    n2, ms = time_script(store, url, plain_sql_mapped_figures(code, day, today) if mapped
                                         else plain_sql_figures(code, day))
                    if n2 != n:
                        b.die("plain SQL: %s on %s: %d members by the count, %d by the figures" % (code, day, n, n2))
                    full.append(ms)
                if raw["total"] != counts[0]:
                    b.die("%s on %s%s: the report says %d members, the plain SQL %d" %
                          (code, day, " mapped" if mapped else "", raw["total"], counts[0]))
                out["reports"].append({"who": who, "unit": code, "day": day + (" mapped" if mapped else ""),
                                       "ours_ms": ours, "plain_ms": statistics.median(plain), "plain_count": counts[0],
                                       "figures_ms": statistics.median(full) if full else None})
                b.log("%s: %s %s%s: ours %.1f ms, plain SQL count %.1f ms, the same figures %s ms (%d members)" %
                      (store, code, day, " mapped" if mapped else "", ours, statistics.median(plain),
                       "%.1f" % statistics.median(full) if full else "–", counts[0]))
        out["search"] = search(srv, meta["tokens"]["admin"], meta["units"]["province"]["code"])
        out["writes"] = writes(srv, meta["tokens"]["admin"], meta["units"]["province"]["code"])
        out["peak_kib"] = srv.peak_kib()
        out["anon_kib"] = srv.anon_peak_kib()
    finally:
        srv.stop()
    return out


def render(results, info, meta, size, size_store):
    lines = ["### %s — members: %s" % (info["when"], info["label"]), "",
             "- machine: %d cores (%s), %.0f GiB RAM, %s; shared with other work: 1-minute load average %.1f at the"
             " start" % (info["machine"]["nproc"], info["machine"]["cpu"], info["machine"]["mem_gib"],
                         info["machine"]["os"], info["machine"]["load"]),
             "- commit: %s" % info["commit"],
             "- command: `%s`" % info["command"],
             ("- data: %s (BENCH_MEMBERS_DB: the generated country, seed %s, scale %s, %d members, made"
              " outside this run); database %.0f MiB (%s)" %
              (b.knob("BENCH_MEMBERS_DB", ""), meta["seed"], meta["scale"], MEMBERS, size / 2**20, size_store)
              if b.knob("BENCH_MEMBERS_DB", "") else
              "- data: the generated country (seed %s, scale %s) with %d members generated by `generate --no-tree"
              " --members %d` in %s; database %.0f MiB (SQLite)" %
              (meta["seed"], meta["scale"], MEMBERS, MEMBERS,
               ("%.0f s" % meta["members_seconds"]) if "members_seconds" in meta else "an earlier run",
               size / 2**20)),
             "- membership report: median of %d requests in a row. Plain SQL in the store's shell, median of %d"
             " each: the members' count alone, and the report's figures (the breakdowns, each child's members and"
             " branches, the flows from 1 January, the dues: bench/members.py plain_sql_figures, nine statements);"
             " ratio = ours / plain. Mapped: the view mapped onto today's units, its plain count following each"
             " unit's heir by hand (plain_sql_mapped), and its figures over a table of the units mapped into the"
             " subtree made first (plain_sql_mapped_figures, twelve statements)" % (RUNS, PLAIN_RUNS),
             "- search: a first pass over %d name beginnings (its slowest request apart), then %d requests round"
             " them; unit filter = the province; then %d edits of its members' notes, one after another" %
             (len(QUERIES), SEARCHES, WRITES),
             "", "| store | unit | as of | report (ms) | plain SQL: the same figures (ms) | ratio |"
             " plain SQL: the count alone (ms) | ratio | members |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]

    def ratio(a, b):
        return "%.2f" % (a / b) if b else "–"
    for store, r in results.items():
        for x in r["reports"]:
            full, plain = x.get("figures_ms"), x.get("plain_ms")
            lines.append("| %s | %s (%s) | %s | %.1f | %s | %s | %s | %s | %d |" %
                         (store, x["unit"], x["who"], x["day"], x["ours_ms"], "%.1f" % full if full else "–",
                          ratio(x["ours_ms"], full), "%.1f" % plain if plain else "–",
                          ratio(x["ours_ms"], plain), x["plain_count"]))
    lines += ["", "| store | search p50 (ms) | search p99 (ms) | first pass, slowest (ms) | edit median (ms) |"
              " edit slowest (ms) | server peak RSS |", "|---|---:|---:|---:|---:|---:|---:|"]
    for store, r in results.items():
        lines.append("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %s |" % (
            store, r["search"]["p50"], r["search"]["p99"], r["search"]["first_max"], r["writes"]["median"],
            r["writes"]["max"], b.mem_mib(r.get("peak_kib"), r.get("anon_kib"))))
    return "\n".join(lines) + "\n\n"


def main():
    now = dt.datetime.now(dt.timezone.utc)
    commit = b.git("rev-parse", "--short", "HEAD") or "unknown"
    info = {"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit, "machine": b.machine(),
            "label": b.LABEL or b.git("log", "-1", "--format=%s")[:80],
            "command": " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k.startswith("BENCH_"))
                       + " make bench-members"}
    db, meta = given_or_cached_db()
    results = {}
    for store in b.STORES:
        if store == "sqlite":
            results["sqlite"] = bench_store("sqlite", db, meta)
        elif b.is_url(db):
            results["pg"] = bench_store("pg", db, meta)
        else:
            pg = b.PgServer()
            try:
                url = pg.createdb("unionbase_bench_members")
                b.ub("copy", db, url)
                results["pg"] = bench_store("pg", url, meta)
            finally:
                pg.stop()
    section = render(results, info, meta, *db_size(db))
    print(section)
    if b.WRITE:
        b.write_report(section)


if __name__ == "__main__":
    main()
