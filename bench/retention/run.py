"""Benchmark the retention engine against plain batched SQL deletes.

A table of ``--rows`` activity-log rows (the example shop's ``ActivityLog``), every second one
past a 30-day policy, is cleaned twice from the same starting state:

* ``engine``: ``enforce_policy`` (counts, brake check, keyset batches, one ``DELETE`` each);
* ``raw``: ``DELETE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT n)`` in a loop, one
  transaction per batch, with the same batch size.

Each backend runs in its own process against a scratch database: a temporary SQLite file, and a
``datarights_bench`` database on the local PostgreSQL server (dropped and created again).

    python bench/retention/run.py                   # 1,000,000 rows, SQLite and PostgreSQL
    python bench/retention/run.py --rows 100000     # a smaller table
    python bench/retention/run.py --quick           # 100,000 rows
    python bench/retention/run.py --backend sqlite  # one backend only

The last line of output is a JSON object of the measured figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_DATABASE = "datarights_bench"
PERIOD = timedelta(days=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows in the table (default 1,000,000)"
    )
    parser.add_argument("--quick", action="store_true", help="use 100,000 rows")
    parser.add_argument("--batch", type=int, default=1000, help="rows per batch for both methods")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres", "all"],
        default="all",
        help="database to measure",
    )
    parser.add_argument("--method", choices=["engine", "raw"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rows = 100_000 if args.quick else args.rows

    if args.method:
        print(json.dumps(measure(args.method, rows, args.batch)))
        return 0

    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    results: dict[str, Any] = {"rows": rows, "batch": args.batch}
    for backend in backends:
        engine = run_worker(backend, "engine", rows, args.batch)
        raw = run_worker(backend, "raw", rows, args.batch)
        ratio = engine["seconds"] / raw["seconds"]
        results.update(
            {
                f"{backend}_engine_seconds": engine["seconds"],
                f"{backend}_raw_seconds": raw["seconds"],
                f"{backend}_ratio": round(ratio, 3),
                f"{backend}_engine_rss_growth_mib": engine["rss_growth_mib"],
                f"{backend}_raw_rss_growth_mib": raw["rss_growth_mib"],
                f"{backend}_engine_peak_rss_mib": engine["peak_rss_mib"],
            }
        )
        print(
            f"{backend}: engine {engine['seconds']:.2f} s, raw SQL {raw['seconds']:.2f} s "
            f"(ratio {ratio:.2f}); resident memory growth during the delete: engine "
            f"{engine['rss_growth_mib']:.1f} MiB, raw {raw['rss_growth_mib']:.1f} MiB",
            flush=True,
        )
    print(json.dumps(results))
    return 0


def run_worker(backend: str, method: str, rows: int, batch: int) -> dict[str, Any]:
    """Measure one method in a fresh process on a fresh scratch database."""
    with tempfile.TemporaryDirectory(prefix="datarights-bench-") as scratch:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "EXAMPLE_VAR_DIR": scratch,
            "DATABASE_URL": (
                f"sqlite:///{scratch}/bench.sqlite3"
                if backend == "sqlite"
                else f"{POSTGRES_SERVER}/{BENCH_DATABASE}"
            ),
        }
        if backend == "postgres":
            recreate_postgres_database()
        command = [sys.executable, __file__, "--method", method, "--rows", str(rows)]
        command += ["--batch", str(batch)]
        completed = subprocess.run(  # noqa: S603 - this script, no shell
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
        )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(
            f"{backend} {method} benchmark failed with exit status {completed.returncode}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def recreate_postgres_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def max_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(method: str, rows: int, batch: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import override_settings
    from django.utils import timezone

    from django_datarights.models import RetentionPolicy
    from django_datarights.retention.engine import enforce_policy
    from django_datarights.retention.scope import cutoff_for

    policy = RetentionPolicy.objects.create(
        key="bench.activitylog",
        name="Bench",
        model="shop.ActivityLog",
        date_field="created_at",
        period=PERIOD,
        max_share=1.0,
    )
    fill_table(rows)
    rss_before = max_rss_mib()
    started = time.perf_counter()
    if method == "engine":
        with override_settings(DATARIGHTS_RETENTION_BATCH_SIZE=batch):
            run = enforce_policy(policy.pk)
        deleted = run.rows_deleted
    else:
        deleted = raw_delete(cutoff_for(PERIOD, timezone.now()), batch)
    seconds = time.perf_counter() - started
    if deleted != rows // 2:
        raise SystemExit(f"{method} deleted {deleted} rows, expected {rows // 2}")
    return {
        "seconds": round(seconds, 3),
        "rss_growth_mib": round(max_rss_mib() - rss_before, 2),
        "peak_rss_mib": round(max_rss_mib(), 2),
    }


def fill_table(rows: int) -> None:
    """Empty the table, then insert ``rows`` rows in one statement: odd ids due, even ids not."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    old = connection.ops.adapt_datetimefield_value(now - PERIOD - timedelta(days=370))
    young = connection.ops.adapt_datetimefield_value(now - timedelta(days=10))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM shop_activitylog")
        if connection.vendor == "postgresql":
            series = "SELECT g FROM generate_series(1, %s) AS g"
        else:
            series = (
                "WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < %s) "
                "SELECT g FROM seq"
            )
        cursor.execute(
            "INSERT INTO shop_activitylog (action, description, created_at) "
            "SELECT 'login', '', CASE WHEN g %% 2 = 1 THEN %s ELSE %s END "
            f"FROM ({series}) AS numbers",
            [old, young, rows],
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE" if connection.vendor == "postgresql" else "ANALYZE shop_activitylog"
        )


def raw_delete(cutoff: Any, batch: int) -> int:
    from django.db import connection, transaction

    cutoff = connection.ops.adapt_datetimefield_value(cutoff)
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM shop_activitylog WHERE id IN ("
                "SELECT id FROM shop_activitylog WHERE created_at <= %s ORDER BY id LIMIT %s)",
                [cutoff, batch],
            )
            count = cursor.rowcount
        deleted += count
        if count < batch:
            return deleted


if __name__ == "__main__":
    sys.exit(main())
