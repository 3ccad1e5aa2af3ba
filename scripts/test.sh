#!/usr/bin/env bash
# test.sh — install, build the sanitizer build and run every test.
#
# Steps (each counted; a failure never stops the later steps):
#   deps         scripts/install-deps.sh
#   build        build/ as `make` builds it (gcc, -Werror): what users run
#   build-test   build-test/: clang, -Db_sanitize=address,undefined
#                -Db_lundef=false, -Werror. clang, because gcc 12 with
#                sanitizers at -O2 reports false -Warray-bounds errors.
#                Every test below runs on this build but api/faketime
#                (build/'s program).
#   unit         meson test --suite unit
#   store/sqlite meson test --suite store, UNIONBASE_TEST_DB=sqlite:<tmp>/store.db
#   store/pg     meson test --suite store, UNIONBASE_TEST_DB=postgresql://...
#                (nproc programs at once: each uses a database of its own
#                named after it, see tests/store/store_fixture.h)
#   api/sqlite   node --test tests/api/
#   api/pg       node --test tests/api/ with UNIONBASE_TEST_PG set
#   api/faketime the API tests of SQLite (FAKETIME_TESTS) again, with every
#                process (node, the servers, the CLI, sqlite3) under
#                libfaketime: the wall clock starts at FAKETIME_AT in
#                FAKETIME_TZ, a day far from today, and runs on (across a
#                midnight). The tests must not care what day it is. They
#                run the program of build/, not build-test/: api/sqlite has
#                just run them under the sanitizers, and this step looks for
#                dates, which the sanitizers do not (76 s against 38 s).
#   browser      node --test tests/browser/
#   fuzz         (fuzz and the linters run beside the browser tests, at nice 19)
#                scripts/fuzz.sh: builds build-fuzz/ (clang, libFuzzer) and
#                runs every target of tests/fuzz/ for FUZZ_TEST_SECONDS
#                (default 5) from its committed seeds, built at -O0
#                (FUZZ_OPTIMIZATION=0: half the build); one test case per
#                target (a crash or a broken property fails it)
#   clang-tidy, cppcheck, shellcheck   scripts/lint.sh build
#                (build/compile_commands.json; shellcheck: the shell scripts)
# Test cases are counted one by one where the tool reports them (cmocka's
# "[  PASSED  ] N test(s)" lines in meson's log, node's "# pass N / # fail N");
# a step that reports no test case counts as one. The last line printed is
# "N passed, N failed"; the exit code is non-zero if anything failed.
#
# Environment seen by the tests:
#   UNIONBASE_BIN       absolute path of build-test/unionbase (API, browser tests;
#                       build/unionbase in api/faketime)
#   UNIONBASE_TEST_DB   store tests: where their databases are (sqlite:/tmp/.../store.db
#                       or postgresql://unionbase@127.0.0.1:PORT/unionbase_store);
#                       each program uses its own beside it (store-test_bulk.db,
#                       unionbase_store_test_bulk)
#   UNIONBASE_TEST_PG   API tests, PostgreSQL run only: the server's base URL,
#                       postgresql://unionbase@127.0.0.1:PORT/ — append a
#                       database name. The role is a superuser with CREATEDB:
#                       create databases with SQL (CREATE DATABASE x) through
#                       ${UNIONBASE_TEST_PG}unionbase, or with `createdb x`
#                       (PGHOST, PGPORT, PGUSER, PGDATABASE are exported too).
#   UNIONBASE_TEST_TEMPLATES  api/sqlite, api/pg and browser: a folder of
#                       their own where the first server of a kind keeps its
#                       database after init as a template, which the later
#                       servers of that kind copy (tests/templates.js). Not in
#                       api/faketime: init there runs under its moving clock.
#   ASAN_OPTIONS, UBSAN_OPTIONS   leak detection on, halt on the first error,
#                       a smaller quarantine (see below).
#
# Knobs:
#   UNIONBASE_PG_TESTS=1|0   run the PostgreSQL steps; default 1 when
#                            src/store/db_pg.c exists, else 0. When on and the
#                            server cannot start, those steps FAIL.
#   TEST_CC=clang            compiler for build-test (default clang; a change
#                            of compiler wipes build-test/)
#   MESON_TEST_TIMEOUT_MULTIPLIER (default 3), NODE_TEST_TIMEOUT seconds (1200)
#   API_TEST_CONCURRENCY=3   API test files run at once (node --test-concurrency)
#   BROWSER_TEST_CONCURRENCY=1  browser test files run at once
#   SKIP_DEPS=1              do not run install-deps.sh (counted as skipped: no)
#   FUZZ_TEST_SECONDS=5      seconds each fuzz target runs (0: the fuzz step
#                            is not run, and counts as a failure)
#   FAKETIME_AT="2028-02-29 23:58:30"  FAKETIME_TZ=Asia/Ho_Chi_Minh
#                            where api/faketime's clock starts (a leap day,
#                            90 s before midnight in Việt Nam: 16:58 UTC)
#   FAKETIME_TESTS="..."     the files (or folders) api/faketime runs; see
#                            faketime_tests below. FAKETIME_TESTS=0: not run
#                            (counted as a failure, like a missing tool).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

builddir=build-test
logdir=$top/$builddir/test-logs

# A quarantine of 32 MiB (not 256) and allocation stacks of 12 frames (not
# 30): on this kind of virtual machine a page fault is dear, and a server's
# freed memory held back in a large quarantine is all fresh pages. api/sqlite
# took 191 s with ASan's defaults, 170 s with these (one run each, alone).
# A use after free is still found while the block is among the last 32 MiB
# freed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:halt_on_error=1:quarantine_size_mb=32:malloc_context_size=12}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
if [ -z "${LSAN_OPTIONS:-}" ] && [ -f "$top/scripts/lsan-suppressions.txt" ]; then
    export LSAN_OPTIONS="suppressions=$top/scripts/lsan-suppressions.txt:print_suppressions=0"
fi
timeout_mult=${MESON_TEST_TIMEOUT_MULTIPLIER:-3}
node_timeout=${NODE_TEST_TIMEOUT:-1200}
# API test files at once: each starts its own servers, on its own database and
# port, and waits on them as much as it computes (3 on 2 cores: 254 s to
# 193 s for api/sqlite). Browser test files one at a time: two at once take
# 254 s instead of 356 alone (chromium and the servers keep 0.76 of a core
# busy with one file, 0.93 with two, of the two cores), but in CI the
# background steps below fill that idle core anyway, and ran on after the
# browser instead (fuzz 460 s beside it): the browser step and what follows
# took the same share of the run either way (2026-12-05, CI of c0a3bed
# against abdabad), with two chromiums' load for nothing.
api_concurrency=${API_TEST_CONCURRENCY:-3}
browser_concurrency=${BROWSER_TEST_CONCURRENCY:-1}

if [ -z "${UNIONBASE_PG_TESTS:-}" ]; then
    if [ -f src/store/db_pg.c ]; then UNIONBASE_PG_TESTS=1; else UNIONBASE_PG_TESTS=0; fi
fi

total_pass=0
total_fail=0
summary=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unionbase-test.XXXXXX")
pg_started=0

background_pid=
cleanup() {
    if [ -n "$background_pid" ]; then kill -- "-$background_pid" 2>/dev/null; fi
    if [ "$pg_started" = 1 ]; then
        scripts/pg-test-server.sh stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM

step_start=$(date +%s)
banner() { step_start=$(date +%s); printf '\n==== %s ====\n' "$*"; }

# record NAME PASSED FAILED [NOTE]
record() {
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    local status=ok
    [ "$3" -gt 0 ] && status=FAILED
    summary+=("$(printf '%-14s %-6s %4d passed %4d failed %5ss  %s' "$1" "$status" "$2" "$3" \
        "$(( $(date +%s) - step_start ))" "${4:-}")")
}

# step NAME CMD... : a step that is one check (passes when CMD exits 0).
# Sets step_rc.
step() {
    local name=$1; shift
    banner "$name"
    "$@"
    step_rc=$?
    if [ $step_rc = 0 ]; then record "$name" 1 0; else record "$name" 0 1 "exit $step_rc"; fi
}

meson_setup() { # DIR OPTIONS...
    local dir=$1; shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@" >"$tmp/reconfigure.log" 2>&1 && return 0
        cat "$tmp/reconfigure.log"
        echo "test.sh: reconfigure of $dir failed; wiping it"
        meson setup --wipe "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

build_release() {
    meson_setup build --buildtype=debugoptimized && ninja -C build
}

test_cc=${TEST_CC:-clang}
build_test() {
    # The compiler is fixed when a build folder is configured: start afresh
    # when it is not the one asked for.
    if [ -d "$builddir" ] && [ "$(cat "$builddir/.test-cc" 2>/dev/null)" != "$test_cc" ]; then
        echo "test.sh: build-test was not configured with $test_cc: wiping it"
        rm -rf "$builddir"
    fi
    CC=$test_cc meson_setup "$builddir" --buildtype=debugoptimized -Dtests=true \
        -Db_sanitize=address,undefined -Db_lundef=false &&
        echo "$test_cc" >"$builddir/.test-cc" &&
        ninja -C "$builddir"
}

# count_meson LOGBASE RC: prints "PASSED FAILED NOTE" for one meson test run.
count_meson() {
    python3 - "$top/$builddir/meson-logs/$1.json" "$2" <<'EOF'
import json, re, sys
path, rc = sys.argv[1], int(sys.argv[2])
p = f = skipped = 0
try:
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
except OSError:
    print(0, 1, "no meson log %s" % path); sys.exit()
tests = [json.loads(l) for l in lines if l.strip()]
for t in tests:
    out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
    ok = t.get("result") in ("OK", "EXPECTEDFAIL")
    if t.get("result") == "SKIP":
        skipped += 1
        continue
    cp = sum(int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
    cf = sum(int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", out, re.M))
    tp = len(re.findall(r"^ok \d+", out, re.M))
    tf = len(re.findall(r"^not ok \d+", out, re.M))
    if cp + cf == 0 and tp + tf > 0:
        cp, cf = tp, tf
    if cp + cf == 0:
        cp, cf = (1, 0) if ok else (0, 1)
    elif not ok and cf == 0:
        cf = 1  # cases passed, the program did not (leak, crash at exit, ...)
    p += cp
    f += cf
note = "%d programs" % len(tests)
if skipped:
    note += ", %d skipped" % skipped
if not tests:
    f, note = 1, "no tests in this suite"
elif rc != 0 and f == 0:
    f, note = 1, note + ", meson exit %d" % rc
print(p, f, note)
EOF
}

# meson_suite NAME SUITE NPROCESSES [VAR=VALUE...]
meson_suite() {
    local name=$1 suite=$2 nproc=$3; shift 3
    local logbase=${name//\//-}
    banner "$name"
    rm -f "$builddir/meson-logs/$logbase.json"
    env "$@" meson test -C "$builddir" --suite "$suite" --no-rebuild --print-errorlogs \
        --timeout-multiplier "$timeout_mult" --num-processes "$nproc" \
        --logbase "$logbase" 2>&1 | tee "$logdir/$logbase.log"
    local rc=${PIPESTATUS[0]}
    local p f note
    read -r p f note < <(count_meson "$logbase" "$rc")
    record "$name" "${p:-0}" "${f:-1}" "$note"
}

# node_suite NAME PATHS [VAR=VALUE...]: PATHS is a folder or files, space-separated;
# concurrency=N before the call runs N test files at once (default 1)
node_suite() {
    local name=$1 dir=$2; shift 2
    local paths
    read -ra paths <<<"$dir"
    local logbase=${name//\//-}
    banner "$name"
    local tap=$logdir/$logbase.tap
    rm -f "$tap"
    env UNIONBASE_BIN="$top/$builddir/unionbase" "$@" \
        timeout --kill-after=30 "$node_timeout" \
        node --test --test-concurrency="${concurrency:-1}" \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" "${paths[@]}" 2>&1 |
        tee "$logdir/$logbase.log"
    local rc=${PIPESTATUS[0]}
    local p f c
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
    c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
    p=${p:-0}; f=$(( ${f:-0} + ${c:-0} ))
    local note="node exit $rc"
    [ "$rc" = 124 ] && note="timed out after ${node_timeout}s"
    if [ $((p + f)) -eq 0 ]; then
        f=1; note="$note, no test ran"
    elif [ "$rc" != 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    record "$name" "$p" "$f" "$note"
}

# node_suite_faketime NAME AT ZONE PATHS [VAR=VALUE...]: node_suite with the
# wall clock of every process starting at AT (local time in ZONE) and running
# on. libfaketime is preloaded with a relative offset (FAKETIME=+Ns), the same
# for every process whenever it starts, so node and the servers it starts
# read the same time; monotonic clocks move by the same offset, which no
# timeout notices (chromium cannot open a tab when only the wall clock
# moves: FAKETIME_DONT_FAKE_MONOTONIC=1 breaks the browser tests). Under
# ASan (UNIONBASE_BIN of build-test/), whose allocator reads the clock while
# it starts, before libfaketime is ready, add
# ASAN_OPTIONS=...:allocator_release_to_os_interval_ms=-1 or it deadlocks.
# The step fails if the clock did not move (a run at the real date proves
# nothing).
node_suite_faketime() {
    local name=$1 at=$2 zone=$3 files=$4; shift 4
    local lib start offset seen
    lib=$(faketime_lib) || { not_run "$name" "libfaketime not found (Debian package faketime)"; return; }
    start=$(TZ=$zone date -d "$at" +%s 2>/dev/null) || { not_run "$name" "FAKETIME_AT '$at' is not a time"; return; }
    offset=$((start - $(date +%s)))
    [ "$offset" -ge 0 ] && offset="+$offset"
    local env=(TZ="$zone" LD_PRELOAD="$lib" FAKETIME="${offset}s")
    # shellcheck disable=SC2016 # JavaScript's template literal, not the shell's
    seen=$(env "${env[@]}" node -e 'const d = new Date(); const p = (n) => String(n).padStart(2, "0");
        process.stdout.write(`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`)' 2>&1)
    if [ "$seen" != "$(TZ=$zone date -d "$at" +%F)" ]; then
        not_run "$name" "libfaketime did not move the clock (node says '$seen', wanted ${at%% *})"
        return
    fi
    echo "test.sh: $name: the clock starts at $at ($zone; FAKETIME=${offset}s via $lib)"
    node_suite "$name" "$files" "${env[@]}" "$@"
}

faketime_lib() {
    local f
    for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
        /usr/local/lib/faketime/libfaketimeMT.so.1; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

not_run() { # NAME WHY
    banner "$1"
    echo "test.sh: $1 not run: $2"
    record "$1" 0 1 "not run: $2"
}

# ---------------------------------------------------------------------------
start_time=$(date +%s)

if [ "${SKIP_DEPS:-0}" = 1 ]; then
    banner deps; echo "test.sh: SKIP_DEPS=1, not installing"
else
    step deps scripts/install-deps.sh
fi

step build build_release
release_built=0
[ $step_rc = 0 ] && [ -x build/unionbase ] && release_built=1
step build-test build_test
built=0
[ $step_rc = 0 ] && [ -x "$builddir/unionbase" ] && built=1
mkdir -p "$logdir"

if [ $built = 1 ]; then
    meson_suite unit unit "$(nproc)"
    meson_suite store/sqlite store "$(nproc)" UNIONBASE_TEST_DB="sqlite:$tmp/store.db"
else
    not_run unit "build failed"
    not_run store/sqlite "build failed"
fi

pg_ok=0
if [ "$UNIONBASE_PG_TESTS" = 1 ]; then
    banner "PostgreSQL server"
    if scripts/pg-test-server.sh status 2>/dev/null; then
        echo "test.sh: reusing the running test server"
    elif scripts/pg-test-server.sh start >/dev/null; then
        pg_started=1
    fi
    if pg_base=$(scripts/pg-test-server.sh base) && pg_env=$(scripts/pg-test-server.sh env); then
        pg_ok=1
        echo "test.sh: PostgreSQL at $pg_base"
    else
        echo "test.sh: ERROR: PostgreSQL did not start: the PostgreSQL steps FAIL" >&2
        record postgresql 0 1 "server did not start"
    fi
else
    banner "PostgreSQL"
    echo "test.sh: PostgreSQL steps OFF (UNIONBASE_PG_TESTS=0; src/store/db_pg.c does not exist)"
    summary+=("$(printf '%-14s %-6s %s' postgresql OFF "UNIONBASE_PG_TESTS=0: store/pg and api/pg not run")")
fi

if [ "$UNIONBASE_PG_TESTS" = 1 ]; then
    if [ $built != 1 ]; then
        not_run store/pg "build failed"
    elif [ $pg_ok != 1 ]; then
        not_run store/pg "PostgreSQL did not start"
    elif store_url=$(scripts/pg-test-server.sh createdb unionbase_store); then
        meson_suite store/pg store "$(nproc)" UNIONBASE_TEST_DB="$store_url"
    else
        not_run store/pg "could not create database unionbase_store"
    fi
fi

if [ $built = 1 ]; then
    concurrency=$api_concurrency node_suite api/sqlite tests/api/ \
        UNIONBASE_TEST_TEMPLATES="$(mktemp -d "$tmp/templates.XXXXXX")"
else
    not_run api/sqlite "build failed"
fi

# The API tests that look at "today" or at the wall clock, and would break
# first on a day of their own: where today comes from (today), scope by
# today's tree (access), operations without a date (operations), today's 34
# provinces (reform), the audit trail's times and date filters (audit),
# session and token expiry (session), the CLI's today (cli), the running
# period and term of the report forms and targets (forms, targets,
# reports-reorg).
faketime_tests=${FAKETIME_TESTS:-tests/api/today.test.js tests/api/access.test.js tests/api/operations.test.js tests/api/reform.test.js tests/api/audit.test.js tests/api/session.test.js tests/api/cli.test.js tests/api/import.test.js tests/api/forms.test.js tests/api/targets.test.js tests/api/reports-reorg.test.js}
if [ $release_built != 1 ]; then
    not_run api/faketime "build failed"
elif [ "$faketime_tests" = 0 ]; then
    not_run api/faketime "FAKETIME_TESTS=0"
else
    concurrency=$api_concurrency node_suite_faketime api/faketime "${FAKETIME_AT:-2028-02-29 23:58:30}" "${FAKETIME_TZ:-Asia/Ho_Chi_Minh}" "$faketime_tests" \
        UNIONBASE_BIN="$top/build/unionbase"
fi

if [ "$UNIONBASE_PG_TESTS" = 1 ]; then
    if [ $built != 1 ]; then
        not_run api/pg "build failed"
    elif [ $pg_ok != 1 ]; then
        not_run api/pg "PostgreSQL did not start"
    else
        # psql and pg_basebackup from the server's own folder first in PATH
        # (5.7% of this step's processor time went to the perl wrapper
        # /usr/bin/psql before, 2026-12-05)
        # shellcheck disable=SC2086 # pg_env is "export A=x B=y ..."
        concurrency=$api_concurrency node_suite api/pg tests/api/ UNIONBASE_TEST_PG="$pg_base" ${pg_env#export } \
            UNIONBASE_TEST_TEMPLATES="$(mktemp -d "$tmp/templates.XXXXXX")" \
            PATH="$(scripts/pg-test-server.sh bindir):$PATH"
    fi
fi

# fuzz and the linters run in the background while the browser tests run, at
# the lowest priority (nice 19): chromium and the server keep about three
# quarters of one core of the two busy (they wait for timers and each
# other), and these steps fill the rest. Started after the builds instead, they made
# the store tests slower by half again and more (store/pg 82 s to 146 s,
# store/sqlite 27 to 47: the fuzz build's compilers, nice 19 or not) and won
# nothing (the API steps keep both cores busy). Their output goes to their
# logs and is printed after the browser's.
fuzz_seconds=${FUZZ_TEST_SECONDS:-5}
background_checks() {
    local name
    for name in fuzz clang-tidy cppcheck shellcheck; do
        date +%s >"$tmp/$name.start"
        case $name in
        fuzz)
            [ "$fuzz_seconds" = 0 ] && continue
            # -O0: the fuzz build takes 41 s of processor time against 71
            # at -O2 (2026-12-05), and five seconds of a target still run
            # 75-95% as many inputs (member_rows 3,787 against 5,064; xlsx
            # 20,666 against 24,534): ASan and the seeds set the pace
            FUZZ_OPTIMIZATION=0 FUZZ_SECONDS=$fuzz_seconds FUZZ_KEEP=0 FUZZ_SEED=1 scripts/fuzz.sh >"$logdir/fuzz.log" 2>&1
            ;;
        clang-tidy | cppcheck)
            [ -f build/compile_commands.json ] || continue
            LINT_TOOLS=$name scripts/lint.sh build >"$logdir/$name.log" 2>&1
            ;;
        shellcheck)
            LINT_TOOLS=$name scripts/lint.sh build >"$logdir/$name.log" 2>&1
            ;;
        esac
        echo $? >"$tmp/$name.rc"
        date +%s >"$tmp/$name.end"
    done
}
# in a process group of its own (set -m): the cleanup ends all of it
set -m
fuzz_seconds=$fuzz_seconds tmp=$tmp logdir=$logdir \
    nice -n 19 bash -c "$(declare -f background_checks); background_checks" &
background_pid=$!
set +m

if [ $built = 1 ]; then
    concurrency=$browser_concurrency node_suite browser tests/browser/ \
        UNIONBASE_TEST_TEMPLATES="$(mktemp -d "$tmp/templates.XXXXXX")"
else
    not_run browser "build failed"
fi
wait "$background_pid"
background_pid=

# background_step NAME: prints the step's log and sets step_start and step_rc
# from what background_checks left
background_step() {
    banner "$1 (run beside the browser tests)"
    cat "$logdir/$1.log" 2>/dev/null
    local began ended
    began=$(cat "$tmp/$1.start" 2>/dev/null) || began=$(date +%s)
    ended=$(cat "$tmp/$1.end" 2>/dev/null) || ended=$began
    step_start=$(( $(date +%s) - (ended - began) ))
    step_rc=$(cat "$tmp/$1.rc" 2>/dev/null || echo 1)
}

# fuzz: every target a few seconds from its seeds, in a fresh corpus, with a
# fixed random seed (the same start each run); one test case per target, as scripts/fuzz.sh counts
# them in its last line "fuzz: N passed, N failed"
if [ "$fuzz_seconds" = 0 ]; then
    not_run fuzz "FUZZ_TEST_SECONDS=0"
else
    background_step fuzz
    fuzz_rc=$step_rc
    read -r fuzz_p fuzz_f < <(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$logdir/fuzz.log" | tail -n 1)
    fuzz_p=${fuzz_p:-0}; fuzz_f=${fuzz_f:-0}
    if [ $((fuzz_p + fuzz_f)) -eq 0 ] || { [ "$fuzz_rc" != 0 ] && [ "$fuzz_f" -eq 0 ]; }; then fuzz_f=$((fuzz_f + 1)); fi
    record fuzz "$fuzz_p" "$fuzz_f" "${fuzz_seconds}s a target; logs in build-fuzz/fuzz-logs/"
fi

for lint in clang-tidy cppcheck shellcheck; do
    if [ "$lint" != shellcheck ] && [ ! -f build/compile_commands.json ]; then
        not_run $lint "build/ not configured"
        continue
    fi
    background_step $lint
    if [ "$step_rc" = 0 ]; then record $lint 1 0; else record $lint 0 1 "exit $step_rc"; fi
done

if [ "$pg_started" = 1 ]; then
    scripts/pg-test-server.sh stop >/dev/null 2>&1 && pg_started=0
fi

banner "summary ($(( $(date +%s) - start_time ))s; logs in $builddir/test-logs/)"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
