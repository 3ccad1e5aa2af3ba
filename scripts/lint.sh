#!/usr/bin/env bash
# lint.sh [BUILDDIR] — clang-tidy and cppcheck over src/, shellcheck over the
# shell scripts; fails on any finding.
#
# BUILDDIR (default build) gives compile_commands.json: the flags, include
# paths and generated headers each file is built with. The folder is
# configured and built first if it needs to be (generated headers).
#
#   clang-tidy  checks in .clang-tidy, every warning an error (gcc-only -W
#               options in the compile commands are ignored); every
#               src/**/*.c must be in compile_commands.json (a file that is not
#               built is reported, not skipped).
#   cppcheck    --enable=warning,performance,portability --inline-suppr,
#               suppressions in scripts/cppcheck-suppressions.txt.
#   ShellCheck  every shell script git knows (*.sh, .ci/run), warnings and
#               notes alike; a justified one is silenced in place by a
#               disable=SCnnnn directive with its reason.
#
# LINT_TOOLS="clang-tidy cppcheck shellcheck" chooses the tools (scripts/test.sh
# runs them one at a time). LINT_JOBS sets parallelism (default: nproc).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
builddir=${1:-build}
tools=${LINT_TOOLS:-clang-tidy cppcheck shellcheck}
jobs=${LINT_JOBS:-$(nproc)}

log() { printf 'lint: %s\n' "$*" >&2; }

# The C analysers need the build's compile commands and generated headers;
# ShellCheck alone needs no build.
c_tools=0
for t in $tools; do
    case "$t" in clang-tidy | cppcheck) c_tools=1 ;; esac
done
db=$top/$builddir/compile_commands.json
sources=()
if [ $c_tools = 1 ]; then
    if [ ! -f "$builddir/compile_commands.json" ]; then
        log "configuring $builddir"
        meson setup "$builddir" >/dev/null || { log "ERROR: meson setup $builddir failed"; exit 1; }
    fi
    # Generated sources and headers must exist for the analysers to see them.
    ninja -C "$builddir" >/dev/null || { log "ERROR: ninja -C $builddir failed"; exit 1; }
    mapfile -t sources < <(find src -name '*.c' -type f | sort)
    if [ ${#sources[@]} -eq 0 ]; then
        log "ERROR: no C sources under src/"
        exit 1
    fi
fi

status=0

run_clang_tidy() {
    command -v clang-tidy >/dev/null || { log "ERROR: clang-tidy not installed"; return 1; }
    # Files in the compilation database, as absolute paths.
    local known
    known=$(python3 - "$db" "$builddir" <<'EOF'
import json, os, sys
for e in json.load(open(sys.argv[1])):
    print(os.path.normpath(os.path.join(e["directory"], e["file"])))
EOF
    ) || return 1
    local missing=() f
    for f in "${sources[@]}"; do
        grep -qxF "$top/$f" <<<"$known" || missing+=("$f")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "ERROR: not in $builddir/compile_commands.json (not built, so not linted):"
        printf '  %s\n' "${missing[@]}" >&2
    fi
    local present=()
    for f in "${sources[@]}"; do
        grep -qxF "$top/$f" <<<"$known" && present+=("$top/$f")
    done
    log "clang-tidy: ${#present[@]} files"
    # the largest first (they take longest: up to 19 s alone), so that no long
    # one is left running by itself at the end
    [ ${#present[@]} -gt 0 ] && mapfile -t present < <(ls -S -- "${present[@]}")
    if [ ${#present[@]} -eq 0 ]; then
        log "ERROR: nothing to lint"
        return 1
    fi
    local out=$top/$builddir/clang-tidy.log
    # -quiet: only findings. Each file's output is written in one piece.
    # shellcheck disable=SC2016 # expanded by the inner sh
    printf '%s\0' "${present[@]}" |
        xargs -0 -n 1 -P "$jobs" sh -c '
            out=$(clang-tidy -quiet -p "$0" --extra-arg=-Wno-unknown-warning-option "$1" 2>&1); rc=$?
            out=$(printf "%s\n" "$out" | grep -Ev "^[0-9]+ warnings?( and [0-9]+ errors?)? generated\.$")
            [ $rc -ne 0 ] && out=$(printf "%s\nclang-tidy exited %s on %s" "$out" "$rc" "$1")
            [ -n "$out" ] && printf "%s\n" "$out"
            exit 0' "$builddir" >"$out"
    # WarningsAsErrors is '*': any output at all is a finding.
    local n
    n=$(grep -cE ': (warning|error): |^clang-tidy exited' "$out" || true)
    if [ -s "$out" ] || [ ${#missing[@]} -gt 0 ]; then
        cat "$out"
        log "clang-tidy: FAILED ($n findings, ${#missing[@]} files not built; log $builddir/clang-tidy.log)"
        return 1
    fi
    log "clang-tidy: clean"
}

run_cppcheck() {
    command -v cppcheck >/dev/null || { log "ERROR: cppcheck not installed"; return 1; }
    local supp=()
    [ -f scripts/cppcheck-suppressions.txt ] && supp=(--suppressions-list=scripts/cppcheck-suppressions.txt)
    local cache=$top/$builddir/cppcheck-cache
    mkdir -p "$cache"
    log "cppcheck: ${#sources[@]} files"
    cppcheck --project="$db" --file-filter="$top/src/*" \
        --enable=warning,performance,portability --std=c11 \
        --error-exitcode=1 --inline-suppr "${supp[@]}" \
        --suppress=missingIncludeSystem --suppress=unmatchedSuppression \
        --cppcheck-build-dir="$cache" -j "$jobs" -q \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]'
    local rc=$?
    if [ $rc -ne 0 ]; then
        log "cppcheck: FAILED"
        return 1
    fi
    log "cppcheck: clean"
}

run_shellcheck() {
    command -v shellcheck >/dev/null || { log "ERROR: shellcheck not installed"; return 1; }
    local scripts
    # the scripts git knows; outside a clone, those in the tree but node_modules'
    mapfile -t scripts < <(git ls-files -- '*.sh' .ci/run 2>/dev/null)
    if [ ${#scripts[@]} -eq 0 ]; then
        mapfile -t scripts < <(find . -path ./node_modules -prune -o \( -name '*.sh' -o -path ./.ci/run \) -type f -print | sort)
    fi
    if [ ${#scripts[@]} -eq 0 ]; then
        log "ERROR: no shell scripts found (neither git ls-files nor find)"
        return 1
    fi
    log "shellcheck: ${#scripts[@]} files"
    if ! shellcheck -- "${scripts[@]}"; then
        log "shellcheck: FAILED"
        return 1
    fi
    log "shellcheck: clean"
}

for t in $tools; do
    case "$t" in
        clang-tidy) run_clang_tidy || status=1 ;;
        cppcheck) run_cppcheck || status=1 ;;
        shellcheck) run_shellcheck || status=1 ;;
        *) log "ERROR: unknown tool $t"; status=1 ;;
    esac
done
exit $status
