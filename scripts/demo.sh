#!/usr/bin/env bash
# Run the example shop with demo data on http://127.0.0.1:8000.
#
# Needs only Python 3.10 or later: the script makes its own virtual environment in .venv-demo,
# installs the app into it, migrates the SQLite database, seeds the demo users and starts the
# development server. Running it again keeps the existing data; `seed_demo --reset` starts over.
#
# Environment:
#   PYTHON                    interpreter that creates the virtual environment (default python3)
#   DEMO_ADDRESS              address the server listens on (default 127.0.0.1:8000)
#   DATARIGHTS_GRACE_SECONDS  wait between a deletion request and the erasure (default 120)
set -euo pipefail

cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv-demo"
ADDRESS="${DEMO_ADDRESS:-127.0.0.1:8000}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "demo.sh: $PYTHON not found; install Python 3.10 or later, or set PYTHON." >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "demo.sh: $("$PYTHON" --version 2>&1) is too old; Python 3.10 or later is required." >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# Install again only when the package metadata changed since the last install.
STAMP="$VENV/.installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "Installing django-datarights and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[example]"
    touch "$STAMP"
fi

export DJANGO_SETTINGS_MODULE=example_project.settings
export DATARIGHTS_GRACE_SECONDS="${DATARIGHTS_GRACE_SECONDS:-120}"

"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py seed_demo

cat <<MESSAGE

Example Shop: http://$ADDRESS/
  customers  alice / alice-demo-pass   bob / bob-demo-pass
  operator   admin / admin-demo-pass   (http://$ADDRESS/admin/)
  deletion grace period: ${DATARIGHTS_GRACE_SECONDS} seconds
Stop the server with Ctrl-C.

MESSAGE

# EXAMPLE_DEMO_BEAT runs the periodic sweeps inside the server, since no Celery beat runs.
EXAMPLE_DEMO_BEAT=1 exec "$VENV/bin/python" manage.py runserver "$ADDRESS"
