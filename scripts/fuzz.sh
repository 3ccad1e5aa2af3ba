#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer targets of tests/fuzz/ and run each one.
#
#   scripts/fuzz.sh              every target for FUZZ_SECONDS (default 180) each
#   scripts/fuzz.sh json csv     only those targets
#
# Build: build-fuzz/, its own folder (build/ and build-test/ are untouched),
# configured with clang, -Dfuzz=true (tests/fuzz/meson.build: every library
# instrumented with -fsanitize=fuzzer-no-link, the targets linked with
# -fsanitize=fuzzer) and -Db_sanitize=address,undefined. libFuzzer's runtime
# (libclang_rt.fuzzer-x86_64.a) comes with Debian's libclang-rt-14-dev,
# which scripts/install-deps.sh installs.
#
# Run: each target starts from the seeds in tests/fuzz/<target>/ (committed,
# small) and writes what it finds new into a working corpus: a fresh
# temporary folder when FUZZ_KEEP=0 (scripts/test.sh: every run the same
# start), else build-fuzz/corpus/<target>/ (make fuzz: each run goes on from
# the last). A crash, a sanitizer report, a leak, a broken property
# (FUZZ_CHECK), an input running over FUZZ_TIMEOUT seconds or over
# FUZZ_RSS_MB of memory fails the target; the input is kept in
# build-fuzz/artifacts/ and the last lines of the log are printed. Turn it
# into a seed and a regression test (tests/fuzz/README.md).
#
# Environment: FUZZ_SECONDS (180), FUZZ_KEEP (1), FUZZ_SEED (0: random), FUZZ_TIMEOUT (10),
# FUZZ_RSS_MB (2048), FUZZ_MAX_LEN (8192), CC_FUZZ (clang), SKIP_BUILD=1,
# FUZZ_OPTIMIZATION (2: the compiler's -O; a change rebuilds build-fuzz/).
# The last line printed is "fuzz: N passed, N failed" (one per target);
# the exit code is non-zero when any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

builddir=build-fuzz
seconds=${FUZZ_SECONDS:-180}
keep=${FUZZ_KEEP:-1}
cc=${CC_FUZZ:-clang}
all_targets=(text date cursor json route csv card xlsx csv_stream member_rows)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

log() { printf 'fuzz: %s\n' "$*" >&2; }

# libFuzzer's runtime: without it the link fails with a less helpful message
fuzzer_rt=$("$cc" -print-file-name="libclang_rt.fuzzer-x86_64.a" 2>/dev/null)
if [ ! -f "$fuzzer_rt" ]; then
    fuzzer_rt=$(find "$("$cc" -print-resource-dir 2>/dev/null)" -name 'libclang_rt.fuzzer-*.a' 2>/dev/null | head -n 1)
fi
if [ -z "$fuzzer_rt" ] || [ ! -f "$fuzzer_rt" ]; then
    log "ERROR: libFuzzer's runtime (libclang_rt.fuzzer) is missing: install libclang-rt-$("$cc" -dumpversion | cut -d. -f1)-dev (scripts/install-deps.sh)"
    echo "fuzz: 0 passed, ${#targets[@]} failed"
    exit 1
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    # shellcheck disable=SC2054 # address,undefined is one meson value
    opts=(--buildtype=debugoptimized -Doptimization="${FUZZ_OPTIMIZATION:-2}" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false)
    if [ -d "$builddir" ] && [ "$(cat "$builddir/.fuzz-cc" 2>/dev/null)" != "$cc" ]; then
        log "$builddir was not configured with $cc: wiping it"
        rm -rf "$builddir"
    fi
    if [ -f "$builddir/meson-private/coredata.dat" ]; then
        CC=$cc meson setup --reconfigure "$builddir" "${opts[@]}" >/dev/null ||
            { log "reconfigure failed: wiping $builddir"; rm -rf "$builddir"; }
    fi
    if [ ! -f "$builddir/meson-private/coredata.dat" ]; then
        CC=$cc meson setup "$builddir" "${opts[@]}" >/dev/null || { log "ERROR: meson setup $builddir failed"; echo "fuzz: 0 passed, ${#targets[@]} failed"; exit 1; }
    fi
    echo "$cc" >"$builddir/.fuzz-cc"
    names=()
    for t in "${targets[@]}"; do names+=("tests/fuzz/fuzz_$t"); done
    if ! ninja -C "$builddir" "${names[@]}"; then
        log "ERROR: the fuzz targets did not build"
        echo "fuzz: 0 passed, ${#targets[@]} failed"
        exit 1
    fi
fi

mkdir -p "$builddir/artifacts" "$builddir/fuzz-logs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unionbase-fuzz.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# LeakSanitizer and UBSan as in the tests; halt at the first report
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

pass=0
fail=0
for t in "${targets[@]}"; do
    bin=$builddir/tests/fuzz/fuzz_$t
    seeds=tests/fuzz/$t
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        log "$t: no target $bin or no seeds in $seeds"
        fail=$((fail + 1))
        continue
    fi
    if [ "$keep" = 1 ]; then work=$builddir/corpus/$t; else work=$tmp/$t; fi
    mkdir -p "$work"
    logf=$builddir/fuzz-logs/$t.log
    start=$(date +%s)
    # -timeout: one input; -max_total_time: the run. The seeds are read
    # first, then the fuzzing goes on until the time is up. -seed: 0 picks a
    # new one each run (make fuzz explores); make test fixes it (FUZZ_SEED=1),
    # so that its short run tries the same inputs, in the same order, every
    # time, and a failure there is one a developer can reproduce.
    "$bin" -seed="${FUZZ_SEED:-0}" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 \
        -artifact_prefix="$builddir/artifacts/$t-" "$work" "$seeds" >"$logf" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$logf" | tail -n 1)
    if [ $rc = 0 ]; then
        pass=$((pass + 1))
        printf 'fuzz: %-7s ok      %8s runs, %s, %ss\n' "$t" "${runs:-?}" "${cov:-cov: ?}" "$took"
    else
        fail=$((fail + 1))
        printf 'fuzz: %-7s FAILED  exit %s after %ss (log: %s)\n' "$t" "$rc" "$took" "$logf"
        grep -E 'property does not hold|ERROR: |SUMMARY|Test unit written|^ +#[0-9]+ .* in ' "$logf" | head -n 25
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
