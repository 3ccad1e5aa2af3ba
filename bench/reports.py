#!/usr/bin/env python3
"""reports.py - the national roll-up of the report forms' catalogue
(issue 18, item 11; run by `make bench-reports`, not by `make test`).

What it does:
  1. The country of bench.py with BENCH_MEMBERS members (members.py's
     cached database, generated once), copied and brought to the current
     schema with `unionbase init` (which loads the catalogue).
  2. Every commune of it reports the six-month period BENCH_PERIOD
     (default 2026H1): each indicator its level enters gets a value,
     written by plain SQL (the set-up, not what is measured); one commune in
     three has its form approved, with the values frozen.
  3. For each store (BENCH_STORES, default "sqlite pg"): `unionbase
     indicators values --unit VN --period P --json` (every indicator of the
     catalogue for the nation: the registry's figures, the entered values
     added up over every commune, the formulas), BENCH_RUNS times (at least
     5), the median and the slowest; the same for a province and a
     commune; and `report overview commune_half --unit <province>`.
     Then `unionbase targets show` for the term BENCH_TERM (default
     T2026-2031) of the nation, the province and the commune, each with six
     targets (a stock, a share, flows, an entered stock). Then what the
     charts draw: `indicators children members` across the province's
     communes, and `indicators series members` of the nation over four
     six-month periods.
  4. A dated section in BENCHMARKS.md (BENCH_WRITE=0: print only).

BENCH_MEMBERS_DB=PATH: as members.py's, a database of the generated
country made already (copied, then reported as above).

Target (the issue): the national roll-up under 1 s on SQLite.

Standard library only.
"""

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402
import members as m  # noqa: E402

PERIOD = b.knob("BENCH_PERIOD", "2026H1")
TERM = b.knob("BENCH_TERM", "T2026-2031")
# a stock, a share, flows and an entered stock: each way a value to date is found
TARGETS = ("members=900000", "members_digital_share=80", "joined=50000", "supervision_sessions=20000",
           "clubs=5000", "funds_mobilised=100000")
RUNS = max(b.RUNS, 5)
FORM = "commune_half"


def prepared():
    """A copy of the members' database with the period reported by every
    commune: its path, the number of values and of approved forms."""
    src, meta = m.given_or_cached_db()
    path = os.path.join(b.CACHE, "reports-work.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(src, path)
    b.ub("init", path)
    con = sqlite3.connect(path)
    codes = [r[0] for r in con.execute(
        "SELECT i.code FROM form_indicators f JOIN indicators i ON i.code = f.indicator"
        " WHERE f.form = ? AND i.source <> 'formula' AND (' ' || i.levels || ' ') LIKE '% commune %'", (FORM,))]
    end = {"H1": "06-30", "H2": "12-31"}[PERIOD[4:]]
    day = "%s-%s" % (PERIOD[:4], end)
    communes = [r[0] for r in con.execute(
        "SELECT id FROM units WHERE level = 'commune' AND valid_from <= ? AND valid_to > ?", (day, day))]
    rnd = random.Random(int(b.SEED))
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [(u, PERIOD, c, rnd.randint(0, 500) * 1000, "", "bench", now) for u in communes for c in codes]
    con.executemany("INSERT INTO indicator_values (unit_id, period, indicator, value, comment, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    approved = communes[::3]
    con.executemany("INSERT INTO form_reports (form, unit_id, period, status, explanation, reason, submitted_by,"
                    " decided_by, updated_at) VALUES (?, ?, ?, 'approved', '', '', 'bench', 'bench', ?)",
                    [(FORM, u, PERIOD, now) for u in approved])
    con.executemany("INSERT INTO form_snapshots (form, unit_id, period, indicator, value, computed)"
                    " SELECT form, unit_id, period, indicator, value, NULL FROM indicator_values v"
                    " JOIN form_reports r USING (unit_id, period) WHERE r.form = ? AND r.unit_id = ? AND v.period = ?",
                    [(FORM, u, PERIOD) for u in approved])
    con.commit()
    con.execute("ANALYZE")
    con.close()
    # the term's targets: the nation's, handed down to a province and a commune
    for unit in ("VN", meta["units"]["province"]["code"], meta["units"]["commune"]["code"]):
        b.ub("targets", "set", "--unit", unit, "--term", TERM, *TARGETS, "--db", path)
    return path, meta, len(rows), len(approved), len(communes)


def timed(args):
    """Seconds of one run of the program."""
    t0 = time.monotonic()
    p = subprocess.run([b.BIN] + args, capture_output=True, text=True)
    took = time.monotonic() - t0
    if p.returncode != 0:
        b.die("unionbase %s failed: %s" % (" ".join(args), p.stderr[-2000:]))
    return took, p.stdout


def series(name, args):
    took = []
    out = ""
    for _ in range(RUNS):
        t, out = timed(args)
        took.append(t)
    return {"what": name, "median_ms": statistics.median(took) * 1000, "max_ms": max(took) * 1000, "out": out}


def bench_store(store, url, meta):
    province = meta["units"]["province"]["code"]
    commune = meta["units"]["commune"]["code"]
    res = []
    for label, unit in (("nation", "VN"), ("province %s" % province, province), ("commune %s" % commune, commune)):
        b.log("%s: indicators values --unit %s --period %s" % (store, unit, PERIOD))
        res.append(series(label, ["indicators", "values", "--unit", unit, "--period", PERIOD, "--json", "--db", url]))
    for label, unit in (("targets: nation", "VN"), ("targets: province %s" % province, province),
                        ("targets: commune %s" % commune, commune)):
        b.log("%s: targets show --unit %s --term %s" % (store, unit, TERM))
        res.append(series(label, ["targets", "show", "--unit", unit, "--term", TERM, "--json", "--db", url]))
    b.log("%s: report overview %s --unit %s" % (store, FORM, province))
    res.append(series("overview of the province's communes",
                      ["report", "overview", FORM, "--unit", province, "--period", PERIOD, "--sort", "distance",
                       "--json", "--db", url]))
    # what the charts draw: one indicator across the province's communes,
    # and the nation's over the last four six-month periods
    b.log("%s: indicators children members --unit %s" % (store, province))
    res.append(series("chart: members of the province's communes",
                      ["indicators", "children", "members", "--unit", province, "--period", PERIOD, "--json",
                       "--db", url]))
    b.log("%s: indicators series members --unit VN --count 4" % store)
    res.append(series("chart: the nation's members over 4 periods",
                      ["indicators", "series", "members", "--unit", "VN", "--to", PERIOD, "--count", "4", "--json",
                       "--db", url]))
    nation = json.loads(res[0]["out"])
    return {"runs": res, "nation": nation}


def render(results, info, meta, n_values, n_approved, n_communes):
    lines = ["### %s — report forms: %s" % (info["when"], info["label"]), "",
             "- machine: %d cores (%s), %.0f GiB RAM, %s; 1-minute load average %.1f at the start" % (
                 info["machine"]["nproc"], info["machine"]["cpu"], info["machine"]["mem_gib"], info["machine"]["os"],
                 info["machine"]["load"]),
             "- commit: %s" % info["commit"],
             "- command: `%s`" % info["command"],
             "- data: the generated country (seed %s, scale %s) with %d members; period %s reported by all %d"
             " communes (%d values), %d of their forms approved (values frozen)" % (
                 meta["seed"], meta["scale"], m.MEMBERS, PERIOD, n_communes, n_values, n_approved),
             "- each figure: `unionbase` run %d times (a process each: opening the database included), the median"
             " and the slowest" % RUNS,
             "", "| store | what | median (ms) | slowest (ms) |", "|---|---|---:|---:|"]
    for store, r in results.items():
        for x in r["runs"]:
            lines.append("| %s | %s | %.0f | %.0f |" % (store, x["what"], x["median_ms"], x["max_ms"]))
    sq = results.get("sqlite")
    if sq:
        nat = sq["runs"][0]["median_ms"]
        lines += ["", "Target (SQLite): the national roll-up under 1 s: %s (%.0f ms)." % (
            "met" if nat < 1000 else "missed", nat)]
        vals = {x["indicator"]: x["value"] for x in sq["nation"]["items"]}
        lines.append("The nation's figures: members %s, branches and groups %s, supervision sessions %s." % (
            vals.get("members"), vals.get("branches"), vals.get("supervision_sessions")))
    return "\n".join(lines) + "\n\n"


def main():
    now = dt.datetime.now(dt.timezone.utc)
    info = {"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": b.git("rev-parse", "--short", "HEAD") or "unknown",
            "machine": b.machine(), "label": b.LABEL or b.git("log", "-1", "--format=%s")[:80],
            "command": " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k.startswith("BENCH_"))
                       + " make bench-reports"}
    path, meta, n_values, n_approved, n_communes = prepared()
    results = {}
    for store in b.STORES:
        if store == "sqlite":
            results["sqlite"] = bench_store("sqlite", path, meta)
        else:
            pg = b.PgServer()
            try:
                url = pg.createdb("unionbase_bench_reports")
                b.ub("copy", path, url)
                results["pg"] = bench_store("pg", url, meta)
            finally:
                pg.stop()
    section = render(results, info, meta, n_values, n_approved, n_communes)
    print(section)
    if b.WRITE:
        b.write_report(section)


if __name__ == "__main__":
    main()
