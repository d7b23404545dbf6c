#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (the Makefile has installed the Python
# dependencies and compiled the translations first):
#
#   1. scripts/test-deps.sh   chromium, Java, PostgreSQL and redis-server, installed when missing
#   2. scripts/pg.sh start, scripts/redis.sh start, all at once
#                             a throwaway PostgreSQL and Redis on 127.0.0.1 for each of the database
#                             runs' shards below, which go at the same time: tests halt their shard's
#                             PostgreSQL (faults, serving the documented way) and empty its Redis
#   3. the runs at once, on two cores:
#        pytest -m browser         the real-browser checks (their own server and SQLite database): they
#                                  wait on chromium and their server much of the time
#        pytest -m "not browser"   on SQLite, in CIVIC_TEST_SHARDS processes (default 2, --shard K/N:
#                                  tests/conftest.py deals the tests out)
#        pytest -m "not browser"   with CIVIC_TEST_DATABASE_URL pointing at PostgreSQL (which leaves out
#                                  the tests that use no database: tests/conftest.py), in as many
#                                  processes; the first one's output live, the others' once each is done
#      Shards, not one process per database: a database's tests take about as long as the other's, but never
#      exactly, and the run that ends first used to leave a core idle while the other finished alone; with two
#      shares each, what is left still uses both cores. Their temporary files (the SQLite databases, the
#      browser's server, the tests' files) are on /dev/shm when it is a tmpfs with room: a test run's files
#      need no disk.
#   4. scripts/redis.sh stop and scripts/pg.sh stop, always, even after a failure or Ctrl-C
#
# Each run gets CIVIC_PG_STATE and CIVIC_REDIS_STATE (the state files of its own servers, which
# tests/servers.py reads to halt and resume PostgreSQL) and CIVIC_TEST_REDIS_URL (when its Redis
# started). Arguments are passed to every pytest run (e.g. scripts/run-tests.sh -x -k proposals).
# The summary gives each run's wall time and CPU seconds (user + system, of pytest and of what it started), and
# those of the PostgreSQL server it used (its postmaster, the backends it reaped, those still alive; not of a server
# a test halted and resumed): the wall time depends on what else loads the machine, the CPU seconds much less. Last,
# the whole machine's busy CPU seconds while the runs went (/proc/stat): chromium's processes are not in the
# browser run's own count.
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
SHARDS="${CIVIC_TEST_SHARDS:-2}"
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "run-tests: CIVIC_TEST_SHARDS must be a positive number." >&2; exit 2; }
RUNS=()
for database in sqlite postgresql; do
    for ((shard = 1; shard <= SHARDS; shard++)); do RUNS+=("$database-$shard"); done
done
pg_state() { echo "/tmp/civic-test-pg-run-$$-$1.env"; }
redis_state() { echo "/tmp/civic-test-redis-run-$$-$1.env"; }
# The background runs' output waits here while the PostgreSQL run prints its own; each run its temporary files.
LOGS="/tmp/civic-test-logs-$$"
# /dev/shm when it is a tmpfs with 4 GB free: the runs write about 2 GB (SQLite's WAL, servers' logs) that no one reads
# after the run.
tmp_root=/tmp
if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs && -w /dev/shm ]] \
   && (( $(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 4 * 1024 * 1024 )); then
    tmp_root=/dev/shm
fi
BASETEMP="$tmp_root/civic-test-tmp-$$"
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
declare -A run_seconds run_cpu
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
    run_seconds[$label]="$seconds"
    run_cpu[$label]="$cpu"
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

mkdir -p "$BASETEMP" "$TIMES_DIR" "$LOGS"
# Compiled modules, pytest's rewritten test modules included, kept for the run (outside the repository): without them
# (PYTHONDONTWRITEBYTECODE, or a fresh clone) each of the five pytest processes and each server or command a test
# starts compiled Civic and rewrote the tests again, about 10 CPU seconds per pytest process.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$BASETEMP/pycache"
# Every server at once: each start waits on initdb or on a port, not on a core; meanwhile one collection compiles
# what every run then reads.
say "throwaway PostgreSQL and Redis of each run: ${RUNS[*]}; the tests compiled once"
for run in "${RUNS[@]}"; do
    CIVIC_PG_STATE="$(pg_state "$run")" scripts/pg.sh start >"$LOGS/$run.pg-url" 2>"$LOGS/$run.pg-log" &
    CIVIC_REDIS_STATE="$(redis_state "$run")" scripts/redis.sh start >"$LOGS/$run.redis-url" 2>"$LOGS/$run.redis-log" &
done
"$PYTHON" -m pytest -q -p no:cacheprovider --collect-only "$@" >"$LOGS/collection" 2>&1 || true
wait
declare -A pg_urls redis_urls
for run in "${RUNS[@]}"; do
    cat "$LOGS/$run.pg-log" "$LOGS/$run.redis-log" >&2
    if [[ -s "$LOGS/$run.pg-url" ]]; then
        pg_urls[$run]="$(cat "$LOGS/$run.pg-url")"
        echo "run-tests: $run: PostgreSQL at ${pg_urls[$run]}"
    elif in_ci; then
        failures+=("PostgreSQL of the $run run did not start")
    else
        echo "run-tests: PostgreSQL did not start for $run; the tests that need it skip and the PostgreSQL run is left" \
             "out (it is required with CI=true)." >&2
    fi
    if [[ -s "$LOGS/$run.redis-url" ]]; then
        redis_urls[$run]="$(cat "$LOGS/$run.redis-url")"
        echo "run-tests: $run: Redis at ${redis_urls[$run]}"
    elif in_ci; then
        failures+=("Redis of the $run run did not start")
    else
        echo "run-tests: Redis did not start for $run; the tests that need it skip (it is required with CI=true)." >&2
    fi
done

# A run's environment: its own servers (tests/servers.py halts and resumes PostgreSQL by its state file), its own
# temporary directory (gunicorn's logs, the tests' files).
run_env() {
    local run="$1"
    mkdir -p "$BASETEMP/tmp-$run"
    run_environment=("CIVIC_PG_STATE=$(pg_state "$run")" "CIVIC_REDIS_STATE=$(redis_state "$run")"
                     "TMPDIR=$BASETEMP/tmp-$run")
    if [[ -n "${redis_urls[$run]:-}" ]]; then
        run_environment+=("CIVIC_TEST_REDIS_URL=${redis_urls[$run]}")
    fi
}

# The CPU seconds of a run's PostgreSQL so far: the postmaster and the backends it reaped, and its processes alive.
pg_cpu_seconds() {
    local pid
    pid="$(source "$(pg_state "$1")" 2>/dev/null && echo "${PG_PID:-}")"
    if [[ -z "$pid" || ! -r "/proc/$pid/stat" ]]; then
        echo "?"
        return
    fi
    {
        awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat"
        for child in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
            awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null
        done
    } | awk -v hz="$(getconf CLK_TCK)" '{ ticks += $1 } END { printf "%d", ticks / hz }'
}

# The whole machine's busy CPU seconds so far (user, nice, system, irq, softirq and steal of /proc/stat): with the runs'
# own CPU seconds, what they do not count (chromium's processes, which its driver never reaps; servers killed by
# tests) and what else loads the machine meanwhile.
machine_cpu_ticks() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat 2>/dev/null || echo 0
}

# Every run at once; the browser checks wait on chromium and their server much of the time, each shard of a database
# run keeps a core busy. The first PostgreSQL shard prints live, the others once each is done.
say "browser checks and the shards of the SQLite and PostgreSQL runs: at once (output below, each when done)"
started=$SECONDS
machine_started="$(machine_cpu_ticks)"
run_env "sqlite-1"
mkdir -p "$BASETEMP/tmp-browser"
start_in_background browser "${run_environment[@]}" "TMPDIR=$BASETEMP/tmp-browser" -- -p no:cacheprovider -m browser "$@"
browser_pid=$last_pid
declare -A shard_pids
for run in "${RUNS[@]}"; do
    [[ "$run" == postgresql-1 ]] && continue
    database_url=()
    if [[ "$run" == postgresql-* ]]; then
        [[ -n "${pg_urls[$run]:-}" ]] || continue
        database_url=("CIVIC_TEST_DATABASE_URL=${pg_urls[$run]}")
    fi
    run_env "$run"
    start_in_background "$run" "${run_environment[@]}" "${database_url[@]}" -- \
        -p no:cacheprovider -m "not browser" --shard "${run##*-}/$SHARDS" "$@"
    shard_pids[$run]=$last_pid
done

label_of() {  # sqlite-2 -> "SQLite 2/2, not browser"
    local database="${1%-*}" shard="${1##*-}"
    [[ "$database" == sqlite ]] && database=SQLite || database=PostgreSQL
    echo "$database $shard/$SHARDS, not browser"
}

if [[ -n "${pg_urls[postgresql-1]:-}" ]]; then
    run_env postgresql-1
    run_pytest "$(label_of postgresql-1)" postgresql-1 "${run_environment[@]}" \
        "CIVIC_TEST_DATABASE_URL=${pg_urls[postgresql-1]}" -- -p no:cacheprovider -m "not browser" --shard "1/$SHARDS" "$@"
fi
for run in "${RUNS[@]}"; do
    [[ -n "${shard_pids[$run]:-}" ]] || continue
    finish_background "$(label_of "$run")" "$run" "${shard_pids[$run]}" "$started"
done
finish_background "Browser checks" browser "$browser_pid" "$started"
background=()

say "summary"
printf '%s\n' "${results[@]}"
for database in sqlite postgresql; do
    wall=0 cpu=0 server=0 measured_runs=0
    for run in "${RUNS[@]}"; do
        [[ "$run" == "$database"-* && -n "${run_seconds[$(label_of "$run")]:-}" ]] || continue
        label="$(label_of "$run")"
        measured_runs=$((measured_runs + 1))
        seconds="${run_seconds[$label]}"
        (( seconds > wall )) && wall="$seconds"
        seconds="${run_cpu[$label]}"
        [[ "$seconds" =~ ^[0-9]+$ ]] && cpu=$((cpu + seconds))
        if [[ "$database" == postgresql ]]; then
            seconds="$(pg_cpu_seconds "$run")"
            [[ "$seconds" =~ ^[0-9]+$ ]] && server=$((server + seconds))
        fi
    done
    (( measured_runs > 0 )) || continue
    [[ "$database" == sqlite ]] && name="SQLite, not browser" || name="PostgreSQL, not browser"
    line="$(printf '%-34s %d shards, %4ss, %4s CPU seconds' "$name" "$measured_runs" "$wall" "$cpu")"
    [[ "$database" == postgresql ]] && line+=", its PostgreSQL servers $server CPU seconds"
    echo "$line"
done
machine_used=$(( ($(machine_cpu_ticks) - machine_started) / $(getconf CLK_TCK) ))
echo "All the runs: $((SECONDS - started))s of wall time since they started; the whole machine was busy" \
     "${machine_used} CPU seconds meanwhile (on $(nproc) cores, whatever else ran). Before them, ${started}s of set-up" \
     "(system tools, servers, one collection)."
if [[ ${#failures[@]} -gt 0 ]]; then
    printf 'FAILED: %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "All test runs passed."
