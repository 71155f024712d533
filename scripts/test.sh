#!/usr/bin/env bash
# Run the whole test suite in four groups and print one summary line per group.
#
#   bash scripts/test.sh            # from a fresh checkout; needs Python 3.11+ only
#   CI=true bash scripts/test.sh    # a missing service or a skipped service test fails the run
#
# Before the groups: manage.py check, makemigrations --check, ruff, mypy and bandit on the app,
# and pip-audit on requirements/lock.txt.
#
# Groups: unit (SQLite), postgres (whole suite on PostgreSQL), worker (real Celery worker on
# PostgreSQL and Redis), browser (headless Chromium). A group whose service is missing is
# skipped with a warning, unless CI=true or DATARIGHTS_REQUIRE_SERVICES=1 is set.
#
# Environment:
#   PYTHON                    interpreter that creates the virtual environment (python3)
#   DATARIGHTS_TEST_VENV      virtual environment to use or create (.venv-test)
#   DATABASE_URL_POSTGRES     PostgreSQL server for groups 2 and 3
#                             (postgres://postgres@127.0.0.1:5432/datarights; pytest-django
#                             creates and drops test_datarights there)
#   DATARIGHTS_TEST_REDIS_URL Redis database the worker group flushes (redis://127.0.0.1:6379/13)
#   DATARIGHTS_CHROMIUM       Chromium executable for the browser group (/usr/bin/chromium)
#   DATARIGHTS_TEST_PROCESSES pytest-xdist processes for the unit and postgres groups (2)
#
# Arguments after the script name go to every pytest run:
#   bash scripts/test.sh -x -k "export and not slow"
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

python="${PYTHON:-python3}"
venv="${DATARIGHTS_TEST_VENV:-.venv-test}"
postgres_url="${DATABASE_URL_POSTGRES:-postgres://postgres@127.0.0.1:5432/datarights}"
redis_url="${DATARIGHTS_TEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
chromium="${DATARIGHTS_CHROMIUM:-/usr/bin/chromium}"
results_dir="$repo/artifacts/test-results"
extra_args=("$@")
# The unit and postgres groups run in parallel processes (pytest-xdist); each process gets its
# own test database. The worker and browser groups run in one process, since they share a
# Redis database and a live server.
processes="${DATARIGHTS_TEST_PROCESSES:-2}"

require_services=0
case "${CI:-}" in 1 | true | TRUE | True | yes) require_services=1 ;; esac
case "${DATARIGHTS_REQUIRE_SERVICES:-0}" in "" | 0) ;; *) require_services=1 ;; esac
export DATARIGHTS_REQUIRE_SERVICES="$require_services"

summary=()
total_passed=0
total_failed=0

banner() { printf '\n==== %s ====\n' "$*"; }
warn() { printf '\n!!!! %s !!!!\n\n' "$*" >&2; }

# --- Virtual environment ------------------------------------------------------------------

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: $python is missing or older than Python 3.11; set PYTHON=/path/to/python3.11" >&2
    exit 2
fi

# The environment is reinstalled when pyproject.toml changes, and reused otherwise.
stamp="$venv/.datarights-test-stamp"
wanted="$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')"
if [[ ! -x "$venv/bin/python" ]]; then
    banner "creating $venv"
    "$python" -m venv "$venv" || exit 2
fi
if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
    banner "installing -e .[test,qa] into $venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip || exit 2
    "$venv/bin/python" -m pip install --quiet -e ".[test,qa]" || exit 2
    echo "$wanted" >"$stamp"
fi
py="$venv/bin/python"

# --- Project checks -----------------------------------------------------------------------

banner "django check and makemigrations --check"
checks_failed=0
check_env=(env DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:///:memory:)
"${check_env[@]}" "$py" manage.py check --fail-level WARNING || checks_failed=1
"${check_env[@]}" "$py" manage.py makemigrations --check --dry-run || checks_failed=1
if ((checks_failed)); then
    summary+=("checks: failed (manage.py check or makemigrations --check)")
    total_failed=$((total_failed + 1))
else
    summary+=("checks: passed")
fi

# --- Static analysis and dependency audit ------------------------------------------------

banner "ruff, mypy and bandit on django_datarights"
static_failed=0
"$venv/bin/ruff" check django_datarights || static_failed=1
"$venv/bin/mypy" django_datarights || static_failed=1
"$venv/bin/bandit" -q -r django_datarights -x django_datarights/migrations || static_failed=1
if ((static_failed)); then
    summary+=("static: failed (ruff, mypy or bandit)")
    total_failed=$((total_failed + 1))
else
    summary+=("static: passed")
fi

# pip-audit asks a vulnerability service about each pinned dependency. When the service cannot
# be reached, pip-audit marks every package "could not be audited" and still exits 0, so the
# output is read here and that case is reported as "not audited", never as "passed".
banner "pip-audit on requirements/lock.txt"
audit_log="$(mktemp)"
audit_rc=0
"$venv/bin/pip-audit" --requirement requirements/lock.txt --no-deps --disable-pip \
    --progress-spinner off >"$audit_log" 2>&1 || audit_rc=$?
cat "$audit_log"
if grep -q "could not be audited" "$audit_log"; then
    warn "pip-audit could not reach its vulnerability service: dependencies NOT audited"
    summary+=("audit: NOT AUDITED (vulnerability service unreachable from this machine)")
elif ((audit_rc != 0)); then
    summary+=("audit: failed (known vulnerabilities or pip-audit error)")
    total_failed=$((total_failed + 1))
else
    summary+=("audit: passed")
fi
rm -f "$audit_log"

# --- Service probes -----------------------------------------------------------------------

postgres_up() {
    "$py" - "$postgres_url" <<'PY'
import sys
import psycopg
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(sys.argv[1])
try:
    psycopg.connect(urlunsplit(url._replace(path="/postgres")), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL at {url.hostname}:{url.port or 5432} is not reachable: {error}")
    sys.exit(1)
PY
}

redis_up() {
    "$py" - "$redis_url" <<'PY'
import sys
import redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3, socket_timeout=3).ping()
except Exception as error:
    print(f"Redis at {sys.argv[1]} is not reachable: {error}")
    sys.exit(1)
PY
}

chromium_up() {
    if [[ -x "$chromium" ]]; then return 0; fi
    echo "Chromium not found at $chromium (apt-get install chromium, or set DATARIGHTS_CHROMIUM)"
    return 1
}

# --- Groups -------------------------------------------------------------------------------

# run_group NAME [VAR=VALUE ...] -- PYTEST_ARGS...
run_group() {
    local name="$1"
    shift
    local envs=()
    while [[ "$1" != "--" ]]; do
        envs+=("$1")
        shift
    done
    shift
    mkdir -p "$results_dir"
    local xml="$results_dir/$name.xml"
    rm -f "$xml"
    banner "group $name: pytest $*"
    local started=$SECONDS rc=0
    env "${envs[@]}" "$py" -m pytest -q "$@" "${extra_args[@]}" --junitxml="$xml" || rc=$?
    local counts
    counts="$("$py" - "$xml" "$rc" <<'PY'
import sys
import xml.etree.ElementTree as ET
path, rc = sys.argv[1], int(sys.argv[2])
tests = failures = errors = skipped = 0
try:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0))
        errors += int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
except (OSError, ET.ParseError):
    pass
failed = failures + errors
passed = max(tests - failed - skipped, 0)
# pytest exit code 5 means "no tests collected". Any other non-zero exit without a recorded
# failure (a crash, a collection error, an interrupted run) still counts as one failure.
if rc not in (0, 5) and failed == 0:
    failed = 1
print(passed, failed, skipped)
PY
)"
    local passed failed skipped
    read -r passed failed skipped <<<"$counts"
    summary+=("$name: $passed passed, $failed failed, $skipped skipped ($((SECONDS - started)) s)")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
}

# skip_group NAME REASON
skip_group() {
    local name="$1" reason="$2"
    if ((require_services)); then
        warn "group $name cannot run: $reason (required because CI or DATARIGHTS_REQUIRE_SERVICES is set)"
        summary+=("$name: failed, service missing: $reason")
        total_failed=$((total_failed + 1))
    else
        warn "SKIPPING group $name: $reason"
        summary+=("$name: SKIPPED, service missing: $reason")
    fi
}

service_markers="postgres or worker or browser"

run_group unit DATABASE_URL= -- -n "$processes" -m "not ($service_markers)"

postgres_reason="$(postgres_up)" && postgres_ok=1 || postgres_ok=0
redis_reason="$(redis_up)" && redis_ok=1 || redis_ok=0
chromium_reason="$(chromium_up)" && chromium_ok=1 || chromium_ok=0

if ((postgres_ok)); then
    run_group postgres DATABASE_URL="$postgres_url" -- -n "$processes" -m "not (worker or browser)"
else
    skip_group postgres "$postgres_reason"
fi

if ((postgres_ok && redis_ok)); then
    run_group worker DATABASE_URL="$postgres_url" DATARIGHTS_TEST_REDIS_URL="$redis_url" -- -m worker
else
    skip_group worker "${postgres_reason:-$redis_reason}"
fi

if ((chromium_ok)); then
    browser_db=""
    ((postgres_ok)) && browser_db="$postgres_url"
    run_group browser DATABASE_URL="$browser_db" DATARIGHTS_CHROMIUM="$chromium" -- -m "browser and not worker"
else
    skip_group browser "$chromium_reason"
fi

# --- Summary ------------------------------------------------------------------------------

banner "summary"
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
