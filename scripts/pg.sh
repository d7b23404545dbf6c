#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite.
#
#   scripts/pg.sh start   initdb in a fresh directory under /tmp, start the server on
#                         127.0.0.1 and a free port, create the database civic_test,
#                         print its SQLAlchemy URL (does nothing but print it if already up)
#   scripts/pg.sh url     print the URL of the running server (exit 1 when none)
#   scripts/pg.sh stop    stop the server (by its process id) and remove its directory
#   scripts/pg.sh halt [fast|immediate]
#                         stop the server process but keep its directory and state (for
#                         fault tests): "fast" (default) disconnects the clients and shuts
#                         down cleanly, "immediate" stops at once like a crash (recovery at
#                         resume; with synchronous_commit off, the last ~200 ms of commits
#                         may be lost); `url` fails while it is halted
#   scripts/pg.sh resume  start the halted server again: same directory, same port, same
#                         URL (printed); the new process id goes to the state file
#                         (`start` on a halted server resumes it too)
#
# Durability is switched off (fsync, synchronous_commit, full_page_writes): the data
# is thrown away. Authentication is "trust", on 127.0.0.1 and the server's own socket
# directory only. Run as root, the server runs as the postgres system user; run as
# another user, it runs as that user.
#
# Settings (environment): PG_BIN (default: the PostgreSQL 15 binaries, else the newest
# installed), CIVIC_PG_STATE (the state file, default /tmp/civic-test-pg-<uid>.env).
set -euo pipefail

# shellcheck source=scripts/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

STATE_FILE="${CIVIC_PG_STATE:-/tmp/civic-test-pg-$(id -u).env}"
DB_NAME="civic_test"

die() { echo "pg.sh: $*" >&2; exit 1; }

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"; return
    fi
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin; return
    fi
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$newest" && -x "$newest/initdb" ]] || die "PostgreSQL is not installed (apt-get install postgresql-15, or run scripts/test-deps.sh)."
    echo "$newest"
}

# Run a command as the user who owns the server: postgres when we are root.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Alive and not a zombie (a process whose parent is gone may wait to be reaped a while).
is_alive() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
    [[ -r "/proc/$1/stat" ]] || return 0
    [[ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -c1)" != Z ]]
}

load_state() {
    PG_DIR="" PG_PORT="" PG_PID="" PG_HALTED="" DATABASE_URL=""
    [[ -f "$STATE_FILE" ]] || return 1
    # shellcheck disable=SC1090
    source "$STATE_FILE"
}

cmd_url() {
    load_state && is_alive "$PG_PID" || die "no test PostgreSQL is running (scripts/pg.sh start)."
    echo "$DATABASE_URL"
}

# Set KEY='VALUE' in the state file (added when a state file from an older pg.sh lacks it).
set_state() {
    if grep -q "^$1=" "$STATE_FILE"; then
        sed -i "s|^$1=.*|$1='$2'|" "$STATE_FILE"
    else
        echo "$1='$2'" >>"$STATE_FILE"
    fi
}

cmd_start() {
    if load_state; then
        if is_alive "$PG_PID"; then
            echo "$DATABASE_URL"
            return
        fi
        if [[ "$PG_HALTED" == 1 && -d "$PG_DIR/data" ]]; then
            cmd_resume
            return
        fi
        echo "pg.sh: removing the state of a server that is no longer running" >&2
        cmd_stop >&2
    fi

    local bin dir port pid locale
    bin="$(find_pg_bin)"
    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "the postgres system user does not exist (it comes with the postgresql package)."
    fi
    dir="$(mktemp -d /tmp/civic-test-pg.XXXXXX)"
    chmod 700 "$dir"
    [[ "$(id -u)" -eq 0 ]] && chown postgres: "$dir"
    port="$(free_port)"

    # Write the state first, so that `stop` can clean up even if the start fails half way.
    cat >"$STATE_FILE" <<EOF
PG_DIR='$dir'
PG_PORT='$port'
PG_PID=''
PG_HALTED=''
DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:$port/$DB_NAME'
EOF

    locale=C
    if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then locale=C.UTF-8; fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale="$locale" --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# Throwaway test server (scripts/pg.sh): no durability, local connections only.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF

    as_owner "$bin/pg_ctl" start --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 >/dev/null \
        || { cat "$dir/server.log" >&2 || true; die "the server did not start"; }
    pid="$(head -n 1 "$dir/data/postmaster.pid")"
    sed -i "s/^PG_PID=.*/PG_PID='$pid'/" "$STATE_FILE"

    as_owner "$bin/createdb" --host=127.0.0.1 --port="$port" --username=postgres "$DB_NAME" \
        || die "createdb $DB_NAME failed"

    load_state
    echo "pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') (pid $pid) on 127.0.0.1:$port, data in $dir" >&2
    echo "$DATABASE_URL"
}

# Stop the postmaster (pg_ctl, then its pid): fast or immediate.
stop_server() {
    local mode="$1"
    as_owner "$(find_pg_bin)/pg_ctl" stop --pgdata="$PG_DIR/data" --mode="$mode" --wait --timeout=20 >/dev/null 2>&1 || true
    if is_alive "$PG_PID"; then
        kill -TERM "$PG_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do is_alive "$PG_PID" || break; sleep 0.1; done
        is_alive "$PG_PID" && kill -KILL "$PG_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do is_alive "$PG_PID" || break; sleep 0.1; done
    fi
}

cmd_halt() {
    local mode="${1:-fast}"
    [[ "$mode" == fast || "$mode" == immediate ]] || die "halt: the mode is fast or immediate, not $mode"
    load_state || die "no test PostgreSQL to halt (scripts/pg.sh start)."
    [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]] || die "the state file $STATE_FILE names no data directory."
    if [[ -z "$PG_PID" && -f "$PG_DIR/data/postmaster.pid" ]]; then
        PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    fi
    if is_alive "$PG_PID"; then
        stop_server "$mode"
        is_alive "$PG_PID" && die "PostgreSQL (pid $PG_PID) did not stop."
        echo "pg.sh: halted PostgreSQL (pid $PG_PID, $mode); data kept in $PG_DIR" >&2
    else
        echo "pg.sh: PostgreSQL was not running; data kept in $PG_DIR" >&2
    fi
    set_state PG_PID ""
    set_state PG_HALTED 1
}

cmd_resume() {
    load_state || die "no test PostgreSQL to resume (scripts/pg.sh start)."
    [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]] || die "the state file $STATE_FILE names no data directory."
    if is_alive "$PG_PID"; then
        echo "$DATABASE_URL"
        return
    fi
    # The port is in the directory's postgresql.conf: the server comes back where it was.
    as_owner "$(find_pg_bin)/pg_ctl" start --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" --wait --timeout=60 >/dev/null \
        || { tail -n 20 "$PG_DIR/server.log" >&2 || true; die "the server did not start again (port $PG_PORT taken?)"; }
    local pid
    pid="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    set_state PG_PID "$pid"
    set_state PG_HALTED ""
    echo "pg.sh: resumed PostgreSQL (pid $pid) on 127.0.0.1:$PG_PORT" >&2
    echo "$DATABASE_URL"
}

cmd_stop() {
    if ! load_state; then
        echo "pg.sh: no test PostgreSQL to stop." >&2
        return 0
    fi
    if [[ -z "$PG_PID" && -f "$PG_DIR/data/postmaster.pid" ]]; then
        PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    fi
    if is_alive "$PG_PID"; then
        stop_server fast
        echo "pg.sh: stopped PostgreSQL (pid $PG_PID)." >&2
    fi
    # Only ever remove a directory this script created.
    case "$PG_DIR" in
        /tmp/civic-test-pg.*) rm -rf -- "$PG_DIR" ;;
        "") ;;
        *) echo "pg.sh: not removing unexpected directory $PG_DIR" >&2 ;;
    esac
    rm -f -- "$STATE_FILE"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    halt) cmd_halt "${2:-fast}" ;;
    resume) cmd_resume ;;
    *) echo "usage: $0 start|stop|url|halt [fast|immediate]|resume" >&2; exit 2 ;;
esac
