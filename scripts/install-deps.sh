#!/usr/bin/env bash
# install-deps.sh — install what the build and the tests need, and nothing
# when it is all there already.
#
#  1. Debian packages: asks dpkg-query which of the list below are installed
#     (wrk is for `make bench`, bench/run.sh)
#     and runs `apt-get update` + `apt-get install` only for the missing ones.
#     nodejs and npm are asked for only when there is no `node` at all (a
#     newer Node.js from elsewhere is never replaced).
#  2. npm packages: `npm ci` only when node_modules is missing or older than
#     package-lock.json.
#
# Runs as root (CI) or as a user with sudo. Safe to run again and again.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pkgs=(
    build-essential meson ninja-build pkg-config python3
    libsqlite3-dev sqlite3 libpq-dev libmicrohttpd-dev libjansson-dev
    libsodium-dev libutf8proc-dev libcsv-dev libzip-dev libexpat1-dev
    libxlsxwriter-dev libcmocka-dev libqrencode-dev
    postgresql
    chromium fonts-dejavu-core
    clang clang-tidy cppcheck shellcheck
    wrk time
    faketime tzdata
)

# LeakSanitizer/ASan runtime for clang builds, matching the installed clang
# (Debian 12: clang 14). The same package holds libFuzzer's runtime
# (libclang_rt.fuzzer-x86_64.a) for scripts/fuzz.sh, which links with
# libstdc++ (build-essential's g++).
clang_major=14
if command -v clang >/dev/null 2>&1; then
    v=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
    case "$v" in ''|*[!0-9]*) ;; *) clang_major=$v ;; esac
fi
pkgs+=("libclang-rt-${clang_major}-dev")

if ! command -v node >/dev/null 2>&1; then
    pkgs+=(nodejs npm)
fi

# 1. Debian packages -------------------------------------------------------
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null |
    awk '$2 == "installed" { print $1 }' || true)
missing=()
for p in "${pkgs[@]}"; do
    if ! grep -qxF -- "$p" <<<"$installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        die "not root and no sudo: install these yourself: ${missing[*]}"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q ||
        { sleep 5; "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q; }
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
        --no-install-recommends "${missing[@]}"
else
    log "Debian packages: all ${#pkgs[@]} present"
fi

# 2. Node.js and npm packages ----------------------------------------------
command -v node >/dev/null 2>&1 || die "node not found after install"
command -v npm >/dev/null 2>&1 || die "npm not found (node is $(command -v node))"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js >= 18 is needed (node:test, fetch); found $(node --version)"

if [ -f package-lock.json ]; then
    if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
        [ package-lock.json -nt node_modules/.package-lock.json ]; then
        log "npm ci"
        npm ci --no-audit --no-fund --loglevel=error
        touch node_modules/.package-lock.json
    else
        log "node_modules: up to date"
    fi
fi
