#!/usr/bin/env bash
# A throwaway Redis for the test suite (shared rate limits), in the style of scripts/pg.sh.
#
#   scripts/redis.sh start   start redis-server on 127.0.0.1 and a free port, in a fresh
#                            directory under /tmp, and print its URL redis://127.0.0.1:PORT/0
#                            (does nothing but print it if already up)
#   scripts/redis.sh url     print the URL of the running server (exit 1 when none)
#   scripts/redis.sh stop    stop the server (by its process id) and remove its directory
#
# Nothing is persisted (--save '' --appendonly no): the data is thrown away. The server
# listens on 127.0.0.1 only, without a password (protected mode stays on), and runs as the
# user who starts it.
#
# Settings (environment): REDIS_SERVER (default: Debian's /usr/bin/redis-server, else the one
# on PATH), CIVIC_REDIS_STATE (the state file, default /tmp/civic-test-redis-<uid>.env).
set -euo pipefail

# shellcheck source=scripts/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

STATE_FILE="${CIVIC_REDIS_STATE:-/tmp/civic-test-redis-$(id -u).env}"

die() { echo "redis.sh: $*" >&2; exit 1; }

find_redis_server() {
    if [[ -n "${REDIS_SERVER:-}" ]]; then
        echo "$REDIS_SERVER"; return
    fi
    if [[ -x /usr/bin/redis-server ]]; then
        echo /usr/bin/redis-server; return
    fi
    command -v redis-server 2>/dev/null \
        || die "redis-server is not installed (apt-get install redis-server, or run scripts/test-deps.sh)."
}

# Alive, and still a redis-server (a recycled process id is never signalled).
is_ours() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
    [[ -r "/proc/$1/cmdline" ]] || return 0
    tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'redis-server'
}

# PING on 127.0.0.1:$1 answers +PONG.
answers() {
    python3 - "$1" <<'EOF'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(64).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
EOF
}

load_state() {
    REDIS_DIR="" REDIS_PORT="" REDIS_PID="" REDIS_URL=""
    [[ -f "$STATE_FILE" ]] || return 1
    # shellcheck disable=SC1090
    source "$STATE_FILE"
}

cmd_url() {
    load_state && is_ours "$REDIS_PID" || die "no test Redis is running (scripts/redis.sh start)."
    echo "$REDIS_URL"
}

cmd_start() {
    if load_state; then
        if is_ours "$REDIS_PID"; then
            echo "$REDIS_URL"
            return
        fi
        echo "redis.sh: removing the state of a server that is no longer running" >&2
        cmd_stop >&2
    fi

    local server dir port pid=""
    server="$(find_redis_server)"
    dir="$(mktemp -d /tmp/civic-test-redis.XXXXXX)"
    chmod 700 "$dir"
    port="$(free_port)"

    # Write the state first, so that `stop` can clean up even if the start fails half way.
    cat >"$STATE_FILE" <<EOF
REDIS_DIR='$dir'
REDIS_PORT='$port'
REDIS_PID=''
REDIS_URL='redis://127.0.0.1:$port/0'
EOF

    "$server" --bind 127.0.0.1 --port "$port" --protected-mode yes \
        --save '' --appendonly no --dir "$dir" \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        || { cat "$dir/redis.log" >&2 2>/dev/null || true; die "redis-server did not start"; }

    # --daemonize: the pid file and the listening socket come a moment after the fork.
    for _ in $(seq 1 100); do
        if [[ -z "$pid" && -s "$dir/redis.pid" ]]; then
            pid="$(head -n 1 "$dir/redis.pid")"
            sed -i "s/^REDIS_PID=.*/REDIS_PID='$pid'/" "$STATE_FILE"
        fi
        if [[ -n "$pid" ]] && answers "$port"; then
            break
        fi
        sleep 0.1
    done
    if [[ -z "$pid" ]] || ! answers "$port"; then
        cat "$dir/redis.log" >&2 2>/dev/null || true
        die "redis-server did not answer on 127.0.0.1:$port"
    fi

    load_state
    echo "redis.sh: Redis $("$server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') (pid $pid) on 127.0.0.1:$port, files in $dir" >&2
    echo "$REDIS_URL"
}

cmd_stop() {
    if ! load_state; then
        echo "redis.sh: no test Redis to stop." >&2
        return 0
    fi
    if [[ -z "$REDIS_PID" && -s "$REDIS_DIR/redis.pid" ]]; then
        REDIS_PID="$(head -n 1 "$REDIS_DIR/redis.pid")"
    fi
    if is_ours "$REDIS_PID"; then
        kill -TERM "$REDIS_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do is_ours "$REDIS_PID" || break; sleep 0.1; done
        if is_ours "$REDIS_PID"; then
            kill -KILL "$REDIS_PID" 2>/dev/null || true
        fi
        echo "redis.sh: stopped Redis (pid $REDIS_PID)." >&2
    fi
    # Only ever remove a directory this script created.
    case "$REDIS_DIR" in
        /tmp/civic-test-redis.*) rm -rf -- "$REDIS_DIR" ;;
        "") ;;
        *) echo "redis.sh: not removing unexpected directory $REDIS_DIR" >&2 ;;
    esac
    rm -f -- "$STATE_FILE"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
