#!/usr/bin/env python3
"""imports.py - the import and export of member lists (issue 16, item 9;
run by `make bench-imports`, not by `make test`).

What it does:
  1. The country of bench.py (cached) and its median province (its branches
     and groups of today, from the database).
  2. A member list of BENCH_IMPORT_ROWS rows (default 1,000,000) for that
     province, laid out as unions write them (title rows, STT, Họ và tên,
     Ngày sinh dd/mm/yyyy, Dân tộc, Số CCCD, Mã chi hội, Số điện thoại,
     Thôn), every row valid, deterministic from BENCH_SEED; as CSV (UTF-8)
     ("csv"), as XLSX of inline strings ("xlsx": what libxlsxwriter's
     constant-memory mode writes) and as XLSX of shared strings
     ("xlsx-shared": what Excel saves, each distinct text once in a table
     the cells point into), written here with zipfile, cached in
     bench/cache.
  3. For each store (BENCH_STORES) and each format: a fresh copy of the
     country (PostgreSQL: `unionbase copy` into the throw-away server),
     then `unionbase import FILE --unit PROVINCE --dry-run` (BENCH_RUNS
     times, the median) and the commit (`--mode all`, once), each under
     /usr/bin/time: wall seconds, rows a second, peak resident memory. Then `unionbase export --format csv|xlsx` of the
     province (after the first format's commit), timed the same way.
  4. A dated section at the top of BENCHMARKS.md's results (BENCH_WRITE=0:
     print only).

Targets (issue 16): at least 200,000 validated rows a second for CSV into
SQLite; under 200 MB of memory for any file size.

Knobs: those of bench.py (BENCH_STORES, BENCH_SEED, BENCH_BIN, BENCH_CACHE,
BENCH_WRITE, BENCH_LABEL), BENCH_IMPORT_ROWS=1000000,
BENCH_IMPORT_FORMATS="csv xlsx xlsx-shared", BENCH_IMPORT_COMMIT=1 (0: dry runs
only).

Standard library only.
"""

import datetime as dt
import threading
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402

ROWS = int(b.knob("BENCH_IMPORT_ROWS", "1000000"))
FORMATS = b.knob("BENCH_IMPORT_FORMATS", "csv xlsx xlsx-shared").split()
for _f in FORMATS:
    if _f not in ("csv", "xlsx", "xlsx-shared"):
        b.die("BENCH_IMPORT_FORMATS: %r is not csv, xlsx or xlsx-shared" % _f)
COMMIT = b.knob("BENCH_IMPORT_COMMIT", "1") != "0"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Dân tộc", "Số CCCD", "Mã chi hội", "Số điện thoại", "Thôn"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Thị", "Thị Thu", "Thị Ngọc", "Thị Minh", "Thị Kim", "Thị Thanh", "Thị Bích", "Thị Hồng"]
GIVEN = ["Hoa", "Lan", "Mai", "Hương", "Ánh", "Tuyết", "Duyên", "Hạnh", "Thu", "Nga", "Yến", "Linh", "Trang",
         "Hà", "Phương", "Thảo", "Ngân", "Oanh", "Quyên", "Nhung"]
ETHNIC = ["Kinh"] * 17 + ["Tày", "Thái", "Mường"]


def branches(db, province):
    """The codes of the branches and groups below the province today."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT u.code FROM units u JOIN ancestry a ON a.descendant = u.id JOIN units p ON p.id = a.ancestor"
            " WHERE p.code = ? AND p.valid_to = '9999-12-31' AND a.valid_to = '9999-12-31'"
            " AND u.valid_to = '9999-12-31' AND u.level IN ('branch', 'group') ORDER BY u.code",
            (province,)).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def rows_of(units):
    """The list's rows: valid, each ID number unique and fitting her birth."""
    rng = random.Random(int(b.SEED) * 7919 + ROWS)
    for i in range(ROWS):
        year = 1950 + rng.randrange(55)
        day, month = 1 + rng.randrange(28), 1 + rng.randrange(12)
        century_sex = "1" if year < 2000 else "3"
        cccd = "0%02d%s%02d%06d" % (1 + i // 1000000 % 96, century_sex, year % 100, i % 1000000)
        name = "%s %s %s" % (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN))
        phone = "09%08d" % rng.randrange(100000000)
        yield [str(i + 1), name, "%02d/%02d/%04d" % (day, month, year), rng.choice(ETHNIC), cccd,
               units[i % len(units)], phone, "Thôn %d" % (1 + rng.randrange(30))]


def csv_file(path, units):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write("DANH SÁCH HỘI VIÊN,,,,,,,\r\n,,,,,,,\r\n")
        f.write(",".join(HEADER) + "\r\n")
        for r in rows_of(units):
            f.write(",".join(r) + "\r\n")


def col(k):
    s = ""
    k += 1
    while k:
        k, m = divmod(k - 1, 26)
        s = chr(65 + m) + s
    return s


def xlsx_file(path, units, shared=False):
    """A workbook of one sheet, written row by row: of inline strings, or
    (shared) of a shared-string table in the order texts first appear."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '</Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>',
    }
    table = {}  # text -> its index in the shared strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')

            def row(n, cells):
                out = ['<row r="%d">' % n]
                for k, v in enumerate(cells):
                    if shared:
                        out.append('<c r="%s%d" t="s"><v>%d</v></c>' % (col(k), n, table.setdefault(v, len(table))))
                    else:
                        out.append('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(k), n, escape(v)))
                out.append("</row>")
                f.write("".join(out).encode("utf-8"))

            row(1, ["DANH SÁCH HỘI VIÊN"])
            row(3, HEADER)
            for i, r in enumerate(rows_of(units)):
                row(4 + i, r)
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
                    % (len(table), len(table)))
            for text in table:  # a dict keeps the order texts were first met
                f.write(("<si><t>%s</t></si>" % escape(text)).encode("utf-8"))
            f.write(b"</sst>")


def member_list(db, province):
    """The cached list files: {format: path}."""
    units = branches(db, province)
    if not units:
        b.die("province %s has no branch or group" % province)
    out = {}
    for fmt in FORMATS:
        name = fmt.split("-")
        path = os.path.join(b.CACHE, "import-%s-%d-%s%s.%s" % (province, ROWS, b.SEED, "".join("-" + x for x in name[1:]),
                                                               name[0]))
        if not os.path.exists(path):
            b.log("import: writing %s (%d rows over %d branches and groups)" % (os.path.relpath(path, b.TOP), ROWS,
                                                                               len(units)))
            tmp = path + ".tmp"
            if fmt == "csv":
                csv_file(tmp, units)
            else:
                xlsx_file(tmp, units, shared=fmt == "xlsx-shared")
            os.replace(tmp, path)
        out[fmt] = path
    return out, len(units)


PEAK_ANON = {}  # the last timed() run's peak anonymous memory (MB), sampled


def anon_kb(pid):
    """RssAnon of pid (the memory it allocated, not the file pages it
    holds, which the peak RSS also counts), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def timed(*args):
    """Runs unionbase under /usr/bin/time -v: (wall seconds, peak RSS MB,
    stdout); PEAK_ANON["mb"] the peak of its RssAnon, sampled every 0.1 s."""
    t0 = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-v", b.BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    peak = 0
    out_parts, err_parts = [], []
    readers = [threading.Thread(target=lambda: out_parts.append(p.stdout.read())),
               threading.Thread(target=lambda: err_parts.append(p.stderr.read()))]
    for t in readers:
        t.start()
    while p.poll() is None:
        try:
            with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        for k in kids:
            peak = max(peak, anon_kb(k) or 0)
        time.sleep(0.1)
    for t in readers:
        t.join()
    wall = time.monotonic() - t0
    stdout, stderr = "".join(out_parts), "".join(err_parts)
    if p.returncode != 0:
        b.die("unionbase %s failed (exit %d): %s" % (" ".join(args[:3]), p.returncode, stderr[-2000:]))
    PEAK_ANON["mb"] = peak / 1024 if peak else None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return wall, int(m.group(1)) / 1024 if m else None, stdout


def fresh(store, country, pg):
    """A fresh copy of the country: its URL."""
    if store == "sqlite":
        path = os.path.join(b.CACHE, "import-work.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        shutil.copyfile(country, path)
        return path
    url = pg.createdb("unionbase_bench_import_%d" % int(time.time() * 1000))
    b.ub("copy", country, url)
    return url


# The rows a commit wrote, by table: how to pick them in the imported
# database (every table keyed by a person, the new ones past the country's
# last person) and how they go into a fresh copy. member_tally is small and
# replaced whole.
BASELINE_TABLES = [
    ("persons", "id > %d"),
    ("person_words", "person_id > %d"),
    ("memberships", "person_id > %d"),
    ("import_records", "person_id > %d"),
    ("member_words", "person_id > %d"),
]


def baseline_sqlite(country, imported):
    """The same rows the commit wrote, inserted by plain SQL in the sqlite3
    shell into a fresh copy of the country, with the same tables and
    indexes: what storing them costs SQLite itself (wall seconds)."""
    if not shutil.which("sqlite3"):
        b.die("sqlite3 is missing: apt-get install sqlite3")
    path = os.path.join(b.CACHE, "import-baseline.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(country, path)
    last = sqlite3.connect(country).execute("SELECT coalesce(max(id), 0) FROM persons").fetchone()[0]
    sql = ["PRAGMA journal_mode=WAL;", "PRAGMA cache_size=-%d;" % (64 * 1024),
           "ATTACH '%s' AS src;" % imported.replace("'", "''"), "BEGIN IMMEDIATE;"]
    for table, where in BASELINE_TABLES:
        sql.append("INSERT INTO main.%s SELECT * FROM src.%s WHERE %s;" % (table, table, where % last))
    sql += ["DELETE FROM main.member_tally;", "INSERT INTO main.member_tally SELECT * FROM src.member_tally;",
            "COMMIT;"]
    t0 = time.monotonic()
    p = subprocess.run(["sqlite3", path], input="\n".join(sql), capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0 or p.stderr.strip():
        b.die("sqlite3 baseline failed: %s" % p.stderr[-2000:])
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return wall


def bench_store(store, country, province, files, pg):
    res = {}
    for fmt, path in files.items():
        url = fresh(store, country, pg)
        runs = []
        for i in range(b.RUNS):
            b.log("%s %s: dry run %d of %d" % (store, fmt, i + 1, b.RUNS))
            wall, rss, _ = timed("import", path, "--unit", province, "--dry-run", "--json", "--db", url)
            runs.append((wall, rss, PEAK_ANON["mb"]))
        runs.sort(key=lambda r: r[0])
        res[(fmt, "dry run (median of %d)" % b.RUNS)] = runs[len(runs) // 2]
        if COMMIT:
            b.log("%s %s: commit" % (store, fmt))
            wall, rss, _ = timed("import", path, "--unit", province, "--mode", "all", "--json", "--db", url)
            res[(fmt, "commit")] = (wall, rss, PEAK_ANON["mb"])
            if store == "sqlite" and fmt == "csv":
                b.log("sqlite: the same rows by plain SQL (sqlite3 shell)")
                res[("csv", "the commit's rows by plain SQL (sqlite3)")] = (baseline_sqlite(country, url), None, None)
            for out in ("csv", "xlsx") if fmt == next(iter(files)) else ():
                target = os.path.join(b.CACHE, "export-work.%s" % out)
                b.log("%s: export %s" % (store, out))
                wall, rss, _ = timed("export", "--unit", province, "--format", out, "--output", target, "--db", url)
                res[("export " + out, "")] = (wall, rss, PEAK_ANON["mb"])
                os.remove(target)
    return res


def render(results, info, meta, n_units, files):
    lines = ["### Imports and exports: %s" % info["when"], "",
             "- commit `%s`, %s" % (info["commit"], info["label"]),
             "- machine: %d cores, %s, %.0f GiB, %s; load %.2f at the start" % (
                 info["machine"]["nproc"], info["machine"]["cpu"], info["machine"]["mem_gib"], info["machine"]["os"],
                 info["machine"]["load"]),
             "- command: `%s`" % info["command"],
             "- a list of %d rows for province %s (%s, %d branches and groups), every row valid; %s" % (
                 ROWS, meta["units"]["province"]["code"], meta["units"]["province"]["name"], n_units,
                 ", ".join("%s %.0f MB" % (fmt.upper(), os.path.getsize(path) / 1e6) for fmt, path in files.items())),
             "- peak RSS is the program's VmHWM (the database file's pages it reads count only as SQLite's page "
             "cache: no memory map); peak allocated is its own anonymous memory (RssAnon, sampled every 0.1 s)",
             "", "| store | file | step | seconds | rows/s | peak RSS (MB) | peak allocated (MB) |",
             "|---|---|---|---:|---:|---:|---:|"]
    for store, res in results.items():
        for (fmt, step), (wall, rss, anon) in res.items():
            rate = "%.0f" % (ROWS / wall) if wall > 0 else "–"
            lines.append("| %s | %s | %s | %.1f | %s | %s | %s |" % (store, fmt, step or "–", wall, rate,
                                                                      "%.0f" % rss if rss else "–",
                                                                      "%.0f" % anon if anon else "–"))
    return "\n".join(lines) + "\n"


def main():
    if not os.path.exists("/usr/bin/time"):
        b.die("/usr/bin/time is missing: apt-get install time")
    now = dt.datetime.now(dt.timezone.utc)
    info = {"when": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": b.git("rev-parse", "--short", "HEAD") or "unknown",
            "machine": b.machine(), "label": b.LABEL or b.git("log", "-1", "--format=%s")[:80],
            "command": " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k.startswith("BENCH_"))
                       + " make bench-imports"}
    country, meta = b.make_country()
    province = meta["units"]["province"]["code"]
    files, n_units = member_list(country, province)
    results = {}
    pg = None
    try:
        for store in b.STORES:
            if store == "pg" and pg is None:
                pg = b.PgServer()
            results[store] = bench_store(store, country, province, files, pg)
    finally:
        if pg:
            pg.stop()
    section = render(results, info, meta, n_units, files)
    print(section)
    if b.WRITE:
        b.write_report(section)


if __name__ == "__main__":
    main()
