"""Consent benchmark: the app's per-request cost against bare Django views, over real HTTP.

Starts the app in a threaded WSGI server (``wsgiref``) on 127.0.0.1, then drives a fixed number
of requests from a second process with a pool of threads, for four URLs:

* ``/bench/checks/``: 20 ``has_consent`` checks (one query through the request cache);
* ``/bench/checks-bare/``: the same template with fixed results;
* ``/privacy/``: the privacy settings page with 50 purposes and 150 history records;
* ``/bench/page-bare/``: the same page template rendered from a context built once.

Each pair runs ``--rounds`` times, the app URL and its bare twin taking turns (the bare URL
first in every second round), and the ratio is taken between the median rates: single runs of
a few seconds moved the ratio by 20 points between two back-to-back runs. Prints requests per
second for each URL and the app/bare ratios, then one JSON line.

    .venv/bin/python bench/consent/run.py            # 600 requests per URL and round
    .venv/bin/python bench/consent/run.py --quick    # 100 requests per URL and round

Every load run stops after its request count or its time limit, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent.parent
HOST = "127.0.0.1"
PURPOSES = 50
HISTORY_PER_PURPOSE = 3

# (label, app URL, bare URL)
PAIRS = [
    ("has_consent x20", "/bench/checks/", "/bench/checks-bare/"),
    ("settings page, 50 purposes", "/privacy/", "/bench/page-bare/"),
]


def _setup_django() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.consent.settings")
    import django

    django.setup()


# --- seed ----------------------------------------------------------------------------------


def seed() -> None:
    """Create the schema, 50 purposes and a user with history; print the session cookie."""
    _setup_django()
    from django.core.management import call_command
    from django.test import Client

    from django_datarights.consent.flows import set_consent
    from django_datarights.consent.purposes import save_purpose
    from django_datarights.models import Purpose
    from django_datarights.models.consent import Channel, LegalBasis

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        "bench-reader", email="bench-reader@example.invalid", password="bench password 1"
    )
    for n in range(PURPOSES):
        basis = LegalBasis.CONSENT if n % 2 == 0 else LegalBasis.LEGITIMATE_INTEREST
        purpose = save_purpose(
            Purpose(
                slug=f"purpose-{n:02d}",
                name=f"Purpose {n}",
                description=f"Bench purpose {n}.",
                legal_basis=basis,
                default_given=basis != LegalBasis.CONSENT,
            )
        )
        for given in [True, False, True][:HISTORY_PER_PURPOSE]:
            set_consent(user, purpose, given, channel=Channel.SETTINGS_PAGE)

    client = Client()
    client.force_login(user)
    print(client.cookies["sessionid"].value)


# --- serve ---------------------------------------------------------------------------------


def serve(port: int) -> None:
    """Serve the benchmark project on 127.0.0.1 with one thread per connection."""
    _setup_django()
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    class ThreadingServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(HOST, port, get_wsgi_application(), ThreadingServer, QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


# --- load ----------------------------------------------------------------------------------


def load(
    port: int, path: str, cookie: str, requests: int, threads: int, time_limit: float
) -> dict[str, Any]:
    """Send up to ``requests`` GETs to ``path`` from ``threads`` threads within ``time_limit`` s."""
    deadline = time.monotonic() + time_limit
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    failures = 0

    def worker() -> None:
        nonlocal failures
        while time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.monotonic()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            try:
                connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                connection.close()
            with lock:
                if ok:
                    latencies.append(time.monotonic() - started)
                else:
                    failures += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "path": path,
        "completed": len(latencies),
        "failures": failures,
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
    }


# --- orchestration -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _run_load(
    port: int, path: str, cookie: str, requests: int, threads: int, time_limit: float
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "load",
        "--port",
        str(port),
        "--path",
        path,
        "--cookie",
        cookie,
        "--requests",
        str(requests),
        "--threads",
        str(threads),
        "--time-limit",
        str(time_limit),
    ]
    completed = subprocess.run(  # noqa: S603 - this script, no shell
        command, capture_output=True, text=True, check=True, timeout=time_limit + 30
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("seed")
    serve_parser = sub.add_parser("serve")
    serve_parser.add_argument("--port", type=int, required=True)
    load_parser = sub.add_parser("load")
    load_parser.add_argument("--port", type=int, required=True)
    load_parser.add_argument("--path", required=True)
    load_parser.add_argument("--cookie", required=True)
    load_parser.add_argument("--requests", type=int, required=True)
    load_parser.add_argument("--threads", type=int, default=4)
    load_parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="100 requests per URL instead of 600")
    parser.add_argument("--requests", type=int, default=None, help="requests per URL (max 5000)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (max 16)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="runs of each URL, taking turns (max 9)"
    )
    args = parser.parse_args()

    if args.command == "seed":
        seed()
        return 0
    if args.command == "serve":
        serve(args.port)
        return 0
    if args.command == "load":
        print(
            json.dumps(
                load(
                    args.port, args.path, args.cookie, args.requests, args.threads, args.time_limit
                )
            )
        )
        return 0

    requests = min(args.requests or (100 if args.quick else 600), 5000)
    threads = max(1, min(args.threads, 16))
    args.rounds = max(1, min(args.rounds, 9))
    time_limit = 60.0
    scratch = tempfile.mkdtemp(prefix="datarights-bench-consent-")
    env = {
        **os.environ,
        "EXAMPLE_VAR_DIR": scratch,
        "DJANGO_SETTINGS_MODULE": "bench.consent.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    os.environ.update(env)
    if os.environ.get("DATABASE_URL"):
        print(
            "note: DATABASE_URL is set; the benchmark migrates and seeds that database",
            file=sys.stderr,
        )

    seeded = subprocess.run(  # noqa: S603 - this script, no shell
        [sys.executable, __file__, "seed"], capture_output=True, text=True, check=True, timeout=300
    )
    cookie = seeded.stdout.strip().splitlines()[-1]

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - this script, no shell
        [sys.executable, __file__, "serve", "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the benchmark server did not start")
        results: dict[str, Any] = {}
        for label, app_path, bare_path in PAIRS:
            for path in (app_path, bare_path):
                _run_load(port, path, cookie, min(50, requests), threads, time_limit)  # warm-up
            runs: dict[str, list[dict[str, Any]]] = {app_path: [], bare_path: []}
            for round_number in range(args.rounds):
                order = (app_path, bare_path) if round_number % 2 == 0 else (bare_path, app_path)
                for path in order:
                    runs[path].append(_run_load(port, path, cookie, requests, threads, time_limit))
            app_rps = statistics.median(run["rps"] for run in runs[app_path])
            bare_rps = statistics.median(run["rps"] for run in runs[bare_path])
            failures = sum(run["failures"] for path_runs in runs.values() for run in path_runs)
            ratio = app_rps / bare_rps if bare_rps else 0.0
            print(
                f"{label}: app {app_rps} req/s {[run['rps'] for run in runs[app_path]]}, "
                f"bare {bare_rps} req/s {[run['rps'] for run in runs[bare_path]]}, "
                f"failures {failures}, ratio of medians {ratio:.0%}"
            )
            key = "checks" if app_path == "/bench/checks/" else "page"
            results[f"{key}_app_rps"] = app_rps
            results[f"{key}_bare_rps"] = bare_rps
            results[f"{key}_ratio"] = round(ratio, 3)
            results[f"{key}_failures"] = failures
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)

    results["requests_per_url"] = requests
    results["rounds"] = args.rounds
    results["threads"] = threads
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
