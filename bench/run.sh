#!/bin/sh
# run.sh - `make bench`: the API benchmarks on a generated national tree, on
# SQLite and PostgreSQL; results are added to BENCHMARKS.md. Not part of
# `make test`. The work is done by bench/bench.py (standard library only);
# see its header for what is measured and for the knobs, e.g.
#
#   BENCH_STORES=sqlite BENCH_RUNS=3 make bench
#   BENCH_LABEL="after: ancestry table" make bench
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if ! command -v wrk >/dev/null 2>&1; then
    echo "bench: wrk is missing: running scripts/install-deps.sh" >&2
    scripts/install-deps.sh
fi
exec python3 bench/bench.py "$@"
