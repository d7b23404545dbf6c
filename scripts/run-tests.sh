#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (the Makefile has installed the Python
# dependencies and compiled the translations first):
#
#   1. scripts/test-deps.sh   chromium, Java, PostgreSQL and redis-server, installed when missing
#   2. scripts/pg.sh start, scripts/redis.sh start
#                             a throwaway PostgreSQL and Redis on 127.0.0.1 for each of the two
#                             database runs below, which go at the same time: tests halt their run's
#                             PostgreSQL (faults, serving the documented way) and empty its Redis
#   3. three runs at once, on two cores:
#        pytest -m browser         the real-browser checks (their own server and SQLite database): they
#                                  wait on chromium and their server much of the time
#        pytest -m "not browser"   on SQLite
#        pytest -m "not browser"   with CIVIC_TEST_DATABASE_URL pointing at PostgreSQL (which leaves out
#                                  the tests that use no database: tests/conftest.py), its output live;
#                                  the other two runs' output once each is done
#   4. scripts/redis.sh stop and scripts/pg.sh stop, always, even after a failure or Ctrl-C
#
# Each run gets CIVIC_PG_STATE and CIVIC_REDIS_STATE (the state files of its own servers, which
# tests/servers.py reads to halt and resume PostgreSQL) and CIVIC_TEST_REDIS_URL (when its Redis
# started). Arguments are passed to every pytest run (e.g. scripts/run-tests.sh -x -k proposals).
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

# Our own state files, so that servers started by hand (scripts/pg.sh start, scripts/redis.sh start) are left
# alone. The two database runs go at the same time, each with its own PostgreSQL and Redis: tests halt their run's
# PostgreSQL (faults, serving the documented way) and empty its Redis (rate limits).
RUNS=(sqlite postgresql)
pg_state() { echo "/tmp/civic-test-pg-run-$$-$1.env"; }
redis_state() { echo "/tmp/civic-test-redis-run-$$-$1.env"; }
# The background runs' output waits here while the PostgreSQL run prints its own; each run its temporary files.
LOGS="/tmp/civic-test-logs-$$"
BASETEMP="/tmp/civic-test-tmp-$$"
TIMES_DIR="$BASETEMP/times"  # each run's CPU seconds (measured)
# The servers the runs use are this script's, never ones named by the caller's environment.
unset CIVIC_TEST_DATABASE_URL CIVIC_TEST_REDIS_URL CIVIC_PG_STATE CIVIC_REDIS_STATE
background=()  # process ids of the runs in the background (each its own process group)
cleanup() {
    local pid run
    for pid in "${background[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
        fi
    done
    for run in "${RUNS[@]}"; do
        CIVIC_REDIS_STATE="$(redis_state "$run")" scripts/redis.sh stop || true
        CIVIC_PG_STATE="$(pg_state "$run")" scripts/pg.sh stop || true
    done
    rm -rf "$BASETEMP" "$LOGS"
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

# run_pytest LABEL NAME ENV... -- PYTEST ARGS...: one run in the foreground, with the environment given.
run_pytest() {
    local label="$1" name="$2"; shift 2
    local environment=() started=$SECONDS rc
    while [[ "$1" != "--" ]]; do environment+=("$1"); shift; done
    shift
    say "$label: pytest $*"
    measured "$TIMES_DIR/$name" env "${environment[@]}" "$PYTHON" -m pytest --basetemp="$BASETEMP/$name" "$@"
    rc=$?
    record "$label" "$rc" "$((SECONDS - started))" "$(cpu_seconds "$TIMES_DIR/$name")" "${ARGS[@]}"
}

# start_in_background NAME ENV... -- PYTEST ARGS...: in its own process group (an interruption stops chromium and
# the servers its tests start too), its output in $LOGS/NAME; its process id in $last_pid.
start_in_background() {
    local name="$1"; shift
    local environment=()
    while [[ "$1" != "--" ]]; do environment+=("$1"); shift; done
    shift
    set -m
    measured "$TIMES_DIR/$name" env "${environment[@]}" "$PYTHON" -m pytest --basetemp="$BASETEMP/$name" "$@" \
        >"$LOGS/$name" 2>&1 &
    last_pid=$!
    set +m
    background+=("$last_pid")
}

# finish_background LABEL NAME PID STARTED: waits for it, prints its output, records it.
finish_background() {
    local label="$1" name="$2" pid="$3" started="$4" rc
    wait "$pid"
    rc=$?
    say "$label: output"
    cat "$LOGS/$name"
    record "$label" "$rc" "$((SECONDS - started))" "$(cpu_seconds "$TIMES_DIR/$name")" "${ARGS[@]}"
}

say "system tools"
if ! scripts/test-deps.sh; then
    echo "run-tests: the system tools the tests need are missing." >&2
    exit 1
fi

declare -A pg_urls redis_urls
for run in "${RUNS[@]}"; do
    say "throwaway PostgreSQL and Redis of the $run run"
    if url="$(CIVIC_PG_STATE="$(pg_state "$run")" scripts/pg.sh start)"; then
        echo "run-tests: PostgreSQL at $url"
        pg_urls[$run]="$url"
    elif in_ci; then
        failures+=("PostgreSQL of the $run run did not start")
    else
        echo "run-tests: PostgreSQL did not start; the tests that need it skip and the PostgreSQL run is left out" \
             "(it is required with CI=true)." >&2
    fi
    if url="$(CIVIC_REDIS_STATE="$(redis_state "$run")" scripts/redis.sh start)"; then
        echo "run-tests: Redis at $url"
        redis_urls[$run]="$url"
    elif in_ci; then
        failures+=("Redis of the $run run did not start")
    else
        echo "run-tests: Redis did not start; the tests that need it skip (it is required with CI=true)." >&2
    fi
done

# A run's environment: its own servers (tests/servers.py halts and resumes PostgreSQL by its state file).
run_env() {
    local run="$1"
    run_environment=("CIVIC_PG_STATE=$(pg_state "$run")" "CIVIC_REDIS_STATE=$(redis_state "$run")")
    if [[ -n "${redis_urls[$run]:-}" ]]; then
        run_environment+=("CIVIC_TEST_REDIS_URL=${redis_urls[$run]}")
    fi
}

mkdir -p "$BASETEMP" "$TIMES_DIR" "$LOGS"
# Three runs at once: the browser checks wait on chromium and their server much of the time, and a database run
# keeps one core busy; the background runs' output is printed once each is done.
say "browser checks and the SQLite run: in the background (their output below, when done)"
started=$SECONDS
run_env sqlite
start_in_background browser "${run_environment[@]}" -- -p no:cacheprovider -m browser "$@"
browser_pid=$last_pid
start_in_background sqlite "${run_environment[@]}" -- -m "not browser" "$@"
sqlite_pid=$last_pid

if [[ -n "${pg_urls[postgresql]:-}" ]]; then
    run_env postgresql
    run_pytest "PostgreSQL, not browser" postgresql "${run_environment[@]}" \
        "CIVIC_TEST_DATABASE_URL=${pg_urls[postgresql]}" -- -m "not browser" "$@"
fi

finish_background "SQLite, not browser" sqlite "$sqlite_pid" "$started"
finish_background "Browser checks" browser "$browser_pid" "$started"
background=()

say "summary"
printf '%s\n' "${results[@]}"
if [[ ${#failures[@]} -gt 0 ]]; then
    printf 'FAILED: %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "All test runs passed."
