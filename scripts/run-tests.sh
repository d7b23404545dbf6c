#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (the Makefile has installed the Python
# dependencies and compiled the translations first):
#
#   1. scripts/test-deps.sh   chromium, Java, PostgreSQL and redis-server, installed when missing
#   2. scripts/pg.sh start    a throwaway PostgreSQL on 127.0.0.1
#   3. scripts/redis.sh start a throwaway Redis on 127.0.0.1 (shared rate limits)
#   4. pytest -m browser      the real-browser checks (their own server and SQLite database), in the
#                             background: they wait on chromium and their server much of the time,
#                             and the runs below use the other core meanwhile
#   5. pytest -m "not browser" on SQLite, then the same with CIVIC_TEST_DATABASE_URL pointing at
#                             PostgreSQL (which leaves out the tests that use no database: tests/conftest.py);
#                             then the browser checks' output, once they are done
#   6. scripts/redis.sh stop and scripts/pg.sh stop, always, even after a failure or Ctrl-C
#
# The runs get CIVIC_TEST_REDIS_URL (when Redis started), CIVIC_PG_STATE and CIVIC_REDIS_STATE
# (the state files of this run's servers, which tests/servers.py reads to halt and resume
# PostgreSQL); only the two runs of step 5 use them, one after the other. Arguments are passed to
# every pytest run (e.g. scripts/run-tests.sh -x -k proposals).
# The summary gives each run's wall time and CPU seconds (user + system, of pytest and of what it started; not of the
# PostgreSQL and Redis servers): the wall time depends on what else loads the machine, the CPU seconds much less.
# Exit status: 0 only when every run passed. A run that collects no test (pytest exit 5)
# is a failure, unless options chose the tests (then a run may have none of them). With
# CI=true, missing tools and an unavailable PostgreSQL or Redis are failures; otherwise the
# tests that need them skip (the PostgreSQL run is left out), with a warning.
set -uo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

in_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }
say() { printf '\n=== %s\n' "$*"; }

# Our own state files, so that servers started by hand (scripts/pg.sh start,
# scripts/redis.sh start) are left alone.
export CIVIC_PG_STATE="/tmp/civic-test-pg-run-$$.env"
export CIVIC_REDIS_STATE="/tmp/civic-test-redis-run-$$.env"
# The browser run's output waits here while the other runs print theirs; each run its own temporary files.
BROWSER_LOG="/tmp/civic-test-browser-run-$$.log"
BASETEMP="/tmp/civic-test-tmp-$$"
TIMES_DIR="$BASETEMP/times"  # each run's CPU seconds (measured)
# The servers the runs use are this script's, never ones named by the caller's environment.
unset CIVIC_TEST_DATABASE_URL CIVIC_TEST_REDIS_URL
browser_pid=""
cleanup() {
    if [[ -n "$browser_pid" ]] && kill -0 "$browser_pid" 2>/dev/null; then
        kill -- "-$browser_pid" 2>/dev/null || kill "$browser_pid" 2>/dev/null || true
    fi
    scripts/redis.sh stop || true
    scripts/pg.sh stop || true
    rm -rf "$BASETEMP" "$BROWSER_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=()
results=()
ARGS=("$@")  # the options given, if any

# Run a command in a subshell that writes, once it is over, the CPU seconds (user + system) the command and its
# children used to $1: what a run costs whatever else loads the machine, which its wall time does not say.
measured() {
    local file="$1"; shift
    ( "$@"; rc=$?; times >"$file"; exit $rc )
}

cpu_seconds() {  # the children's line of `times` (e.g. "5m3.120s 0m12.400s"), in whole seconds
    awk 'NR == 2 { for (i = 1; i <= NF; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] }
                   printf "%d", total }' "$1" 2>/dev/null || echo "?"
}

record() {
    local label="$1" rc="$2" seconds="$3" cpu="$4"
    if [[ $rc -eq 5 && $# -gt 4 ]]; then
        rc=0  # options chose the tests (-k, a file...): this run had none of them
    elif [[ $rc -eq 5 ]]; then
        echo "run-tests: $label collected no test: that is a failure." >&2
    fi
    results+=("$(printf '%-34s exit %s, %4ss, %4s CPU seconds' "$label" "$rc" "$seconds" "$cpu")")
    [[ $rc -eq 0 ]] || failures+=("$label (exit $rc)")
}

run_pytest() {
    local label="$1" name="$2"; shift 2
    local started=$SECONDS rc
    say "$label: pytest $*"
    measured "$TIMES_DIR/$name" "$PYTHON" -m pytest --basetemp="$BASETEMP/$name" "$@"
    rc=$?
    record "$label" "$rc" "$((SECONDS - started))" "$(cpu_seconds "$TIMES_DIR/$name")" "${ARGS[@]}"
}

say "system tools"
if ! scripts/test-deps.sh; then
    echo "run-tests: the system tools the tests need are missing." >&2
    exit 1
fi

say "throwaway PostgreSQL"
pg_url=""
if pg_url="$(scripts/pg.sh start)"; then
    echo "run-tests: PostgreSQL at $pg_url"
elif in_ci; then
    failures+=("PostgreSQL did not start")
else
    echo "run-tests: PostgreSQL did not start; the PostgreSQL run is left out (it is required with CI=true)." >&2
fi

say "throwaway Redis"
if redis_url="$(scripts/redis.sh start)"; then
    echo "run-tests: Redis at $redis_url"
    export CIVIC_TEST_REDIS_URL="$redis_url"
elif in_ci; then
    failures+=("Redis did not start")
else
    echo "run-tests: Redis did not start; the tests that need it skip (it is required with CI=true)." >&2
fi

mkdir -p "$BASETEMP" "$TIMES_DIR"
say "browser checks: pytest -m browser $* (in the background; output below, when done)"
browser_started=$SECONDS
set -m  # its own process group, so that an interruption stops chromium and its server too
measured "$TIMES_DIR/browser" "$PYTHON" -m pytest -p no:cacheprovider --basetemp="$BASETEMP/browser" -m browser "$@" \
    >"$BROWSER_LOG" 2>&1 &
browser_pid=$!
set +m

run_pytest "SQLite, not browser" sqlite -m "not browser" "$@"

if [[ -n "$pg_url" ]]; then
    CIVIC_TEST_DATABASE_URL="$pg_url" run_pytest "PostgreSQL, not browser" postgresql -m "not browser" "$@"
fi

wait "$browser_pid"
browser_rc=$?
browser_pid=""
say "browser checks (SQLite, the demo site in chromium): output"
cat "$BROWSER_LOG"
record "Browser checks" "$browser_rc" "$((SECONDS - browser_started))" "$(cpu_seconds "$TIMES_DIR/browser")" \
    "${ARGS[@]}"

say "summary"
printf '%s\n' "${results[@]}"
if [[ ${#failures[@]} -gt 0 ]]; then
    printf 'FAILED: %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "All test runs passed."
