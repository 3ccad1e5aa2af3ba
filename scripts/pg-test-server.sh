#!/usr/bin/env bash
# pg-test-server.sh — a throw-away PostgreSQL server for the tests.
#
#   scripts/pg-test-server.sh start        start one (or reuse the running one);
#                                          prints its URL as the last line
#   scripts/pg-test-server.sh url [DB]     postgresql://unionbase@127.0.0.1:PORT/DB
#                                          (DB defaults to "unionbase")
#   scripts/pg-test-server.sh base         postgresql://unionbase@127.0.0.1:PORT/
#   scripts/pg-test-server.sh createdb DB  (re)create an empty database DB owned
#                                          by unionbase; prints its URL
#   scripts/pg-test-server.sh env          export PGHOST=.. PGPORT=.. PGUSER=.. line
#                                          (for `eval`, so psql/createdb just work)
#   scripts/pg-test-server.sh bindir       the folder of the server's programs
#                                          (psql there is the real one, not
#                                          Debian's perl wrapper /usr/bin/psql,
#                                          which costs ~27 ms more a call)
#   scripts/pg-test-server.sh status       exit 0 if running
#   scripts/pg-test-server.sh replica      start a streaming replica of it
#                                          (pg_basebackup -R, hot standby) in
#                                          its folder, on another free port;
#                                          prints the replica's URL last
#   scripts/pg-test-server.sh replica-url [DB]  that replica's URL
#   scripts/pg-test-server.sh stop         stop it (and its replica) and
#                                          remove its folder
#
# UNIONBASE_PG_SHARED_BUFFERS sets the new server's shared_buffers (128MB
# unless given; the benchmarks give a production-like 4GB: bench/bench.py).
#
# The server lives in a fresh temporary folder (mktemp -d under /tmp as root,
# else under $TMPDIR or /tmp; $UNIONBASE_PG_TMP overrides): data directory,
# Unix socket and log. It listens on 127.0.0.1 on a free port and on the
# socket in that folder, trusts every local connection, runs with fsync off,
# and has a role `unionbase` (LOGIN SUPERUSER CREATEDB) owning a database
# `unionbase`.
#
# initdb refuses to run as root, and CI runs as root: as root the server runs
# as the unprivileged `postgres` user (created by Debian's postgresql package)
# and the folder is owned by it. As any other user it runs as that user.
#
# The folder's path is remembered in build-pg/current (relative to the repo
# top, or $UNIONBASE_PG_STATE), so `stop` and `url` find the server started
# by `start`. Binaries: the newest /usr/lib/postgresql/*/bin, or $PG_BINDIR.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state_dir=${UNIONBASE_PG_STATE:-$top/build-pg}
state_file=$state_dir/current
role=unionbase

log() { printf 'pg-test-server: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/initdb" ] || die "PG_BINDIR=$PG_BINDIR has no initdb"
        echo "$PG_BINDIR"; return
    fi
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [ -x "$d/initdb" ] ||
        die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install the Debian package postgresql: scripts/install-deps.sh)"
    echo "$d"
}

# as_pg CMD...: run a command as the server's owner.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# read_state: sets dir, port from the state file; returns 1 if none.
read_state() {
    [ -f "$state_file" ] || return 1
    dir=$(sed -n 1p "$state_file")
    port=$(sed -n 2p "$state_file")
    [ -n "$dir" ] && [ -n "$port" ]
}

is_running() {
    read_state || return 1
    [ -d "$dir/data" ] || return 1
    local bindir; bindir=$(find_bindir)
    (cd / && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1) || return 1
    (cd / && "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5)
}

url_for() { printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$role" "$port" "${1-}"; }

psql_admin() {
    local bindir; bindir=$(find_bindir)
    (cd / && "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
}

cmd_stop() {
    if ! read_state; then
        log "not running (no $state_file)"
        return 0
    fi
    local bindir; bindir=$(find_bindir)
    if [ -d "$dir/replica" ]; then
        (cd / && as_pg "$bindir/pg_ctl" -D "$dir/replica" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
    fi
    if [ -d "$dir/data" ]; then
        (cd / && as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
    fi
    case "$dir" in
        */unionbase-pg.*) rm -rf -- "$dir" ;;
        *) log "not removing unexpected folder '$dir'" ;;
    esac
    rm -f -- "$state_file"
    rmdir -- "$state_dir" 2>/dev/null || true
    log "stopped, removed $dir"
}

cmd_start() {
    if is_running; then
        log "already running in $dir on port $port"
        url_for "$role"
        return 0
    fi
    # A stale state file from a killed run: clean it first.
    if read_state; then cmd_stop; fi

    local bindir; bindir=$(find_bindir)
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 ||
            die "running as root needs the unprivileged user 'postgres' (created by Debian's postgresql package)"
    fi
    command -v python3 >/dev/null || die "python3 is needed to find a free port"

    # As root the folder must be reachable by `postgres`: /tmp, not $TMPDIR.
    local base=${TMPDIR:-/tmp}
    [ "$(id -u)" -eq 0 ] && base=/tmp
    dir=$(mktemp -d "${UNIONBASE_PG_TMP:-$base}/unionbase-pg.XXXXXX")
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    mkdir -p "$state_dir"

    log "initdb in $dir/data ($bindir)"
    if ! (cd / && as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
            -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1); then
        cat "$dir/initdb.log" >&2 || true
        rm -rf -- "$dir"
        die "initdb failed"
    fi

    local tries=0 started=0
    while [ $tries -lt 5 ]; do
        tries=$((tries + 1))
        port=$(free_port)
        # Settings for a disposable server: fast, not durable.
        cat >"$dir/conf.tmp" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = ${UNIONBASE_PG_SHARED_BUFFERS:-128MB}
max_wal_size = 1GB
log_min_messages = warning
log_min_error_statement = error
logging_collector = off
EOF
        # (appended again on a retry: the last setting wins)
        cat "$dir/conf.tmp" >>"$dir/data/postgresql.conf"
        printf '%s\n%s\n' "$dir" "$port" >"$state_file"
        if (cd / && as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1); then
            started=1
            break
        fi
        log "start on port $port failed (try $tries):"
        tail -n 5 "$dir/server.log" >&2 2>/dev/null || true
    done
    if [ $started -ne 1 ]; then
        cat "$dir/server.log" >&2 2>/dev/null || true
        cmd_stop
        die "PostgreSQL did not start"
    fi

    psql_admin <<EOF || { cmd_stop; die "could not create role $role"; }
CREATE ROLE $role LOGIN SUPERUSER CREATEDB;
CREATE DATABASE $role OWNER $role;
EOF
    log "running in $dir, port $port (log: $dir/server.log)"
    url_for "$role"
}

# The replica's port, from its own configuration; returns 1 if none.
replica_port() {
    [ -f "$dir/replica/postgresql.auto.conf" ] || return 1
    sed -n "s/^port = '\{0,1\}\([0-9]*\)'\{0,1\}$/\1/p" "$dir/replica/postgresql.auto.conf" | tail -n 1
}

cmd_replica() {
    is_running || die "not running (scripts/pg-test-server.sh start)"
    local bindir; bindir=$(find_bindir)
    if [ -d "$dir/replica" ]; then
        local rp; rp=$(replica_port) || die "a replica folder without a port: $dir/replica"
        (cd / && "$bindir/pg_isready" -q -h 127.0.0.1 -p "$rp" -t 5) ||
            die "the replica in $dir/replica does not answer"
        log "replica already running on port $rp"
        printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$role" "$rp" "$role"
        return 0
    fi
    log "pg_basebackup into $dir/replica"
    (cd / && as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U "$role" -D "$dir/replica" \
        -R -X stream -c fast --no-sync) >"$dir/replica.log" 2>&1 || {
        cat "$dir/replica.log" >&2; rm -rf -- "$dir/replica"; die "pg_basebackup failed"; }
    local rport tries=0
    while [ $tries -lt 5 ]; do
        tries=$((tries + 1))
        rport=$(free_port)
        printf "port = '%s'\nhot_standby = on\nhot_standby_feedback = on\n" "$rport" |
            as_pg tee -a "$dir/replica/postgresql.auto.conf" >/dev/null
        if (cd / && as_pg "$bindir/pg_ctl" -D "$dir/replica" -l "$dir/replica-server.log" -w -t 60 start \
                >/dev/null 2>&1); then
            log "replica running on port $rport (log: $dir/replica-server.log)"
            printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$role" "$rport" "$role"
            return 0
        fi
        log "replica start on port $rport failed (try $tries)"
    done
    tail -n 20 "$dir/replica-server.log" >&2 2>/dev/null || true
    die "the replica did not start"
}

cmd_createdb() {
    local db=${1:?usage: createdb DBNAME}
    case "$db" in *[!A-Za-z0-9_]*) die "database name must be [A-Za-z0-9_]: $db" ;; esac
    is_running || die "not running (scripts/pg-test-server.sh start)"
    psql_admin <<EOF
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $db WITH (FORCE);
CREATE DATABASE $db OWNER $role;
EOF
    url_for "$db"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) is_running || die "not running (scripts/pg-test-server.sh start)"; url_for "${2:-$role}" ;;
    base) is_running || die "not running (scripts/pg-test-server.sh start)"; url_for "" ;;
    createdb) cmd_createdb "${2:-}" ;;
    replica) cmd_replica ;;
    replica-url)
        is_running || die "not running (scripts/pg-test-server.sh start)"
        rp=$(replica_port) || die "no replica (scripts/pg-test-server.sh replica)"
        printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$role" "$rp" "${2:-$role}"
        ;;
    env)
        is_running || die "not running (scripts/pg-test-server.sh start)"
        printf 'export PGHOST=127.0.0.1 PGPORT=%s PGUSER=%s PGDATABASE=%s\n' "$port" "$role" "$role"
        ;;
    bindir) find_bindir ;;
    status)
        if is_running; then log "running in $dir on port $port"; exit 0; fi
        log "not running"; exit 1
        ;;
    *) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2; exit 2 ;;
esac
