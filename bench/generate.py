#!/usr/bin/env python3
"""generate.py - how long `unionbase generate` takes to make the whole
country (issue 17, item 1; run by `make bench-generate`, not by `make test`).

What it does, for each store (BENCH_STORES, default "sqlite"; "pg" writes
straight into the throw-away PostgreSQL server of scripts/pg-test-server.sh):
  1. `unionbase init` on a fresh database (bench/cache/generate-work.db on
     SQLite, deleted after);
  2. `unionbase generate --seed S --scale F --members N --json`, timed
     under /usr/bin/time -v: the wall time, each phase's seconds (the
     program's own --json), the peak RSS (which counts the pages of the
     database file it maps) and the peak of its own memory (RssAnon,
     sampled every 0.1 s);
  3. the database's size on disk.
Then a dated section at the top of BENCHMARKS.md's results (BENCH_WRITE=0:
print only).

Target (SQLite, this 2-core machine): the whole country with 20,000,000
members in under 15 minutes.

Knobs: those of bench.py (BENCH_STORES, BENCH_SCALE, BENCH_SEED, BENCH_BIN,
BENCH_CACHE, BENCH_OUT, BENCH_WRITE, BENCH_LABEL), and
BENCH_MEMBERS=1000000, BENCH_GENERATE_KEEP=1 to keep the SQLite database
(bench/cache/generate-work.db).

Standard library only.
"""

import datetime as dt
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402
import imports as im  # noqa: E402

MEMBERS = int(b.knob("BENCH_MEMBERS", "1000000"))
STORES = b.knob("BENCH_STORES", "sqlite").split()
TARGET_SECONDS = 15 * 60
TARGET_MEMBERS = 20000000


def db_size(store, url, pg):
    """The database's size on disk in MB."""
    if store == "sqlite":
        return sum(os.path.getsize(url + s) for s in ("", "-wal") if os.path.exists(url + s)) / 1e6
    return b.pg_size(url) / 1e6


def run_store(store, pg):
    if store == "sqlite":
        url = os.path.join(b.CACHE, "generate-work.db")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(url + suffix):
                os.remove(url + suffix)
    else:
        url = pg.createdb("unionbase_bench_generate_%d" % int(time.time() * 1000))
    b.ub("init", "--db", url)
    b.log("generate: %s, %d members (minutes)" % (store, MEMBERS))
    wall, rss, out = im.timed("generate", "--db", url, "--seed", b.SEED, "--scale", b.SCALE, "--members",
                              str(MEMBERS), "--json")
    stats = json.loads(out)
    size = db_size(store, url, pg)
    if store == "sqlite" and b.knob("BENCH_GENERATE_KEEP", "0") != "1":
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(url + suffix):
                os.remove(url + suffix)
    return {"wall": wall, "rss": rss, "anon": im.PEAK_ANON.get("mb"), "stats": stats, "size": size}


def render(results, info):
    lines = ["### Generating the country: %s" % info["when"], "",
             "- commit `%s`, %s" % (info["commit"], info["label"]),
             "- machine: %d cores, %s, %.0f GiB, %s; load %.2f at the start" % (
                 info["machine"]["nproc"], info["machine"]["cpu"], info["machine"]["mem_gib"], info["machine"]["os"],
                 info["machine"]["load"]),
             "- command: `%s`" % info["command"],
             "- `unionbase init`, then `unionbase generate --seed %s --scale %s --members %d` on a fresh database"
             % (b.SEED, b.SCALE, MEMBERS), ""]
    for store, r in results.items():
        s = r["stats"]
        m = s.get("members", {})
        lines.append("**%s**: %.0f s in all (%.1f min): %d units, %d members (%d left since, %d moved), %d dues "
                     "payments; peak RSS %.0f MB, peak allocated %s MB; database %.0f MB on disk" % (
                         store, r["wall"], r["wall"] / 60, s.get("units_created", 0), m.get("added", 0),
                         m.get("left", 0), m.get("moved", 0), m.get("dues_payments", 0), r["rss"] or 0,
                         "%.0f" % r["anon"] if r["anon"] else "–", r["size"]))
        lines += ["", "| phase | seconds |", "|---|---:|"]
        for phase, secs in s.get("phases", {}).items():
            lines.append("| %s | %.1f |" % (phase, secs))
        lines.append("")
    sq = results.get("sqlite")
    if sq and MEMBERS == TARGET_MEMBERS:
        lines.append("Target (SQLite): %d members in under %d minutes: %s (%.1f min)." % (
            TARGET_MEMBERS, TARGET_SECONDS // 60, "met" if sq["wall"] < TARGET_SECONDS else "missed",
            sq["wall"] / 60))
    return "\n".join(lines) + "\n"


def main():
    if not os.path.exists("/usr/bin/time"):
        b.die("/usr/bin/time is missing: apt-get install time")
    if not os.access(b.BIN, os.X_OK):
        b.die("%s is missing: run `make` first" % b.BIN)
    os.makedirs(b.CACHE, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    info = {"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": b.git("rev-parse", "--short", "HEAD") or "unknown",
            "machine": b.machine(), "label": b.LABEL or b.git("log", "-1", "--format=%s")[:80],
            "command": " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k.startswith("BENCH_"))
                       + " make bench-generate"}
    results = {}
    pg = None
    try:
        for store in STORES:
            if store == "pg" and pg is None:
                pg = b.PgServer()
            results[store] = run_store(store, pg)
    finally:
        if pg:
            pg.stop()
    section = render(results, info)
    print(section)
    if b.WRITE:
        b.write_report(section)


if __name__ == "__main__":
    main()
