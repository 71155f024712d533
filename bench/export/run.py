"""Benchmark the export build against a plain ``values_list`` baseline.

Usage::

    python bench/export/run.py [--rows N ...] [--files-mb M]

For each row count, a child process seeds one user with that many registered rows, spread over
four shop models, plus ``--files-mb`` of uploaded files, and a second user with a few rows.
Fresh child processes then measure ``build_export`` (ZIP with JSON, CSV and files, encrypted to
storage) and a baseline that reads the same columns with ``values_list(...).iterator()`` and
writes JSON lines, taking turns ``--repeat`` times. Each child first does its work once for the
small user, untimed, as a worker process that has already run a task would have: URLconf,
templates and imports are loaded. It then reports wall time and its peak resident memory growth
(``ru_maxrss`` after the work minus before it) for the large user. The report gives the median
of the repeats.
``DATABASE_URL`` selects PostgreSQL; the benchmark then uses (and empties) the
database ``datarights_bench_export`` on that server. Without it, SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
# A database of its own: the other benchmarks drop and recreate "datarights_bench".
BENCH_DATABASE = "datarights_bench_export"
# Shares of the rows per model; order lines come two per order.
ACTIVITY_SHARE, MESSAGE_SHARE, ADDRESS_SHARE = 0.4, 0.2, 0.1
FILE_SIZE = 1024 * 1024
BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[20_000, 200_000],
        help="Registered rows of the benchmark user, one run per value.",
    )
    parser.add_argument(
        "--files-mb", type=int, default=50, help="Uploaded files in MiB (1 MiB each)."
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="Build and baseline runs per size, taking turns."
    )
    parser.add_argument("--child", choices=["seed", "export", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.rows[0], args.files_mb)
        return

    database_url = bench_database_url()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{'PostgreSQL' if database_url else 'SQLite'}"
    )
    results = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="datarights-bench-") as bench_dir:
            env = {
                **os.environ,
                "BENCH_DIR": bench_dir,
                "DJANGO_SETTINGS_MODULE": "bench.export.settings",
            }
            if database_url:
                env["BENCH_DATABASE_URL"] = database_url
                reset_postgres(database_url)
            seed = child(env, "seed", rows, args.files_mb)
            exports, baselines = [], []
            for _turn in range(args.repeat):
                exports.append(child(env, "export", rows, args.files_mb))
                baselines.append(child(env, "baseline", rows, args.files_mb))
        export, baseline = median_run(exports), median_run(baselines)
        results.append(
            {
                "rows": rows,
                "seed": seed,
                "export": export,
                "baseline": baseline,
                "export_runs": exports,
                "baseline_runs": baselines,
            }
        )
        report(rows, seed, export, baseline, len(exports))
    print(json.dumps(results, indent=1))


def bench_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + BENCH_DATABASE))


def reset_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")


def child(env: dict[str, str], step: str, rows: int, files_mb: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--rows",
        str(rows),
        "--files-mb",
        str(files_mb),
    ]
    completed = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"benchmark step {step} failed with exit code {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median wall time (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def report(
    rows: int,
    seed: dict[str, Any],
    export: dict[str, Any],
    baseline: dict[str, Any],
    repeats: int,
) -> None:
    mebibytes = seed["file_bytes"] / 2**20
    files = f"+{seed['files']} files, {mebibytes:.0f} MiB"
    print(f"\n{rows} rows ({files}), seeded in {seed['seconds']:.1f} s, median of {repeats}")
    for name, result in (("export build", export), ("baseline", baseline)):
        rate = result["rows"] / result["seconds"]
        print(
            f"  {name:<13} {result['seconds']:8.2f} s  {rate:10.0f} rows/s"
            f"  peak RSS growth {result['rss_growth_mb']:7.1f} MiB"
        )
    ratio = (export["rows"] / export["seconds"]) / (baseline["rows"] / baseline["seconds"])
    print(f"  export throughput = {ratio:.2f} x baseline")


# --- Child processes ----------------------------------------------------------------------------


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(step: str, rows: int, files_mb: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if step == "seed":
        result = seed(rows, files_mb)
    else:
        from django.contrib.auth import get_user_model

        measure = measure_export if step == "export" else measure_baseline
        users = get_user_model().objects
        measure(users.get(username="warmup"))
        user = users.get(username="bench")
        before = peak_rss_mb()
        started = time.perf_counter()
        count = measure(user)
        seconds = time.perf_counter() - started
        result = {"seconds": seconds, "rows": count, "rss_growth_mb": peak_rss_mb() - before}
    print(json.dumps(result))


def seed(rows: int, files_mb: int) -> dict[str, Any]:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from example_project.shop.models import ActivityLog, Address, Message, Order, OrderLine

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", "bench@example.invalid", "bench-password")
    seed_warmup_user()

    activity = int(rows * ACTIVITY_SHARE)
    messages = int(rows * MESSAGE_SHARE)
    addresses = int(rows * ADDRESS_SHARE)
    orders = (rows - activity - messages - addresses) // 3
    lines = rows - activity - messages - addresses - orders

    def batches(total: int, build: Any, model: Any) -> None:
        for start in range(0, total, BATCH):
            model.objects.bulk_create([build(i) for i in range(start, min(total, start + BATCH))])

    batches(
        activity,
        lambda i: ActivityLog(
            user=user, action="view", description=f"Viewed page {i}", ip_address="192.0.2.0"
        ),
        ActivityLog,
    )
    batches(
        messages,
        lambda i: Message(author=user, subject=f"Question {i}", body="Where is my parcel? " * 5),
        Message,
    )
    batches(
        addresses,
        lambda i: Address(
            user=user,
            recipient_name="Bench Person",
            street=f"{i} Invented Road",
            city="Bergen",
            postcode="5003",
            country="NO",
        ),
        Address,
    )
    batches(
        orders,
        lambda i: Order(
            customer=user,
            number=f"B{i}",
            shipping_name="Bench Person",
            shipping_address="1 Invented Road",
            total=Decimal("19.90"),
        ),
        Order,
    )
    order_ids = list(Order.objects.filter(customer=user).values_list("pk", flat=True))
    batches(
        lines,
        lambda i: OrderLine(
            order_id=order_ids[i % len(order_ids)],
            product="Tea",
            quantity=1,
            unit_price=Decimal("9.95"),
        ),
        OrderLine,
    )

    # Statistics as autovacuum would gather them in production. Without them, PostgreSQL
    # plans the order lines' join for a handful of rows, so the join takes seconds instead of
    # milliseconds, in the build and the baseline alike.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Attachments on the first messages, incompressible so the ZIP does real work.
    with_files = list(Message.objects.filter(author=user).order_by("pk")[:files_mb])
    for message in with_files:
        message.attachment.save(
            f"attachment-{message.pk}.bin", ContentFile(os.urandom(FILE_SIZE)), save=True
        )
    return {
        "seconds": time.perf_counter() - started,
        "files": len(with_files),
        "file_bytes": len(with_files) * FILE_SIZE,
    }


def seed_warmup_user() -> None:
    """Create the small user whose export each child runs once before it is measured."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from example_project.shop.models import ActivityLog, Address, Message, Order, OrderLine

    user = get_user_model().objects.create_user("warmup", "warmup@example.invalid", "warm-pass")
    ActivityLog.objects.create(user=user, action="view", description="Viewed a page")
    message = Message.objects.create(author=user, subject="Hello", body="A first question")
    message.attachment.save("warmup.bin", ContentFile(os.urandom(1024)), save=True)
    Address.objects.create(
        user=user,
        recipient_name="Warm Person",
        street="2 Invented Road",
        city="Bergen",
        postcode="5003",
        country="NO",
    )
    order = Order.objects.create(
        customer=user,
        number="W1",
        shipping_name="Warm Person",
        shipping_address="2 Invented Road",
        total=Decimal("9.95"),
    )
    OrderLine.objects.create(order=order, product="Tea", quantity=1, unit_price=Decimal("9.95"))


def measure_export(user: Any) -> int:
    from django_datarights.export import flows
    from django_datarights.models import ExportRequest

    export = ExportRequest.objects.create(user=user)
    flows.build_export(export.pk)
    export.refresh_from_db()
    if export.status != "ready":
        raise SystemExit(f"export ended {export.status}: {export.failure_reason}")
    return int(export.row_count)


def measure_baseline(user: Any) -> int:
    from django.conf import settings

    from django_datarights.registry import registry

    count = 0
    with open(Path(settings.BENCH_DIR) / "baseline.jsonl", "w", encoding="utf-8") as target:
        for declaration in registry.in_export_order():
            attnames = [attname for attname, _label in declaration.export_columns()]
            queryset = declaration.rows_for(user).values_list(*attnames)
            for values in queryset.iterator(chunk_size=2000):
                target.write(json.dumps(values, default=str))
                target.write("\n")
                count += 1
    return count


if __name__ == "__main__":
    main()
