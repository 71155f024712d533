"""Benchmark: the erasure engine against Django's own ``user.delete()`` cascade.

Two users get the same rows (activity log, addresses, messages, orders with one line each);
one is erased with ``django_datarights.deletion.engine.erase``, the other with
``user.delete()``. Wall time and peak Python memory (``tracemalloc``) are printed per size,
for the engine without its residual check and for the residual check on its own. Each size
runs twice on fresh rows: once for the times, and once with ``tracemalloc`` on for the memory,
because tracing every allocation slowed the engine, which runs more Python than the cascade,
about three times.

    .venv/bin/python bench/erasure/run.py --database sqlite --rows 10000 100000
    .venv/bin/python bench/erasure/run.py --database postgres --rows 10000 100000

PostgreSQL uses the database ``datarights_bench`` on 127.0.0.1:5432 (user postgres), created
when missing. Invoices are left out because their ``PROTECT`` foreign key makes
``user.delete()`` fail, and files because storage time would swamp the database work.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://postgres@127.0.0.1:5432/datarights_bench"

# Share of each model in the rows of one user; order lines come one per order on top.
MIX = {"activity": 0.5, "address": 0.2, "message": 0.1, "order": 0.2}


def configure(database: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("EXAMPLE_VAR_DIR", tempfile.mkdtemp(prefix="datarights-bench-"))
    if database == "postgres":
        _create_pg_database()
        os.environ["DATABASE_URL"] = PG_URL
    else:
        path = Path(os.environ["EXAMPLE_VAR_DIR"]) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.conf import settings

    logging.getLogger("django_datarights").setLevel(logging.ERROR)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_pg_database() -> None:
    import psycopg

    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'datarights_bench'"
        ).fetchone()
        if not exists:
            conn.execute("CREATE DATABASE datarights_bench")


def fill(user: Any, rows: int) -> None:
    """Create ``rows`` rows for ``user`` in bulk, split as in ``MIX``."""
    from example_project.shop.models import ActivityLog, Address, Message, Order, OrderLine

    batch = 5000
    name = f"{user.first_name} {user.last_name}"
    ActivityLog.objects.bulk_create(
        (
            ActivityLog(user=user, action="view", description=f"{name} viewed a page {i}")
            for i in range(int(rows * MIX["activity"]))
        ),
        batch_size=batch,
    )
    Address.objects.bulk_create(
        (
            Address(
                user=user,
                recipient_name=name,
                street=f"{i} Benchvegen",
                city="Bergen",
                postcode="5003",
                country="NO",
            )
            for i in range(int(rows * MIX["address"]))
        ),
        batch_size=batch,
    )
    Message.objects.bulk_create(
        (
            Message(author=user, subject="Hello", body=f"From {name}")
            for i in range(int(rows * MIX["message"]))
        ),
        batch_size=batch,
    )
    orders = Order.objects.bulk_create(
        (
            Order(
                customer=user,
                number=f"{user.pk}-{i}",
                shipping_name=name,
                shipping_address="1 Benchvegen",
                total=Decimal("1.00"),
            )
            for i in range(int(rows * MIX["order"] / 2))
        ),
        batch_size=batch,
    )
    OrderLine.objects.bulk_create(
        (
            OrderLine(order=order, product="Tea", unit_price=Decimal("1.00"), gift_message=name)
            for order in orders
        ),
        batch_size=batch,
    )


def measure(label: str, func: Any, *, trace_memory: bool) -> None:
    """Run ``func`` and print its wall time, or its peak traced memory."""
    if trace_memory:
        tracemalloc.start()
        func()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {label:<22} peak {peak / 1_000_000:8.1f} MB", flush=True)
        return
    started = time.perf_counter()
    func()
    elapsed = time.perf_counter() - started
    print(f"  {label:<22} {elapsed:8.2f} s", flush=True)


def run_size(rows: int, *, trace_memory: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from django_datarights.deletion import engine, flows
    from django_datarights.deletion.residual import run_residual_check

    call_command("flush", interactive=False, verbosity=0)
    user_model = get_user_model()
    engine_user = user_model.objects.create_user(
        "bench-a", "bench-a@example.invalid", "x", first_name="Alva", last_name="Maalingsen"
    )
    cascade_user = user_model.objects.create_user(
        "bench-b", "bench-b@example.invalid", "x", first_name="Bror", last_name="Kontrollsen"
    )
    fill(engine_user, rows)
    fill(cascade_user, rows)
    # Statistics as autovacuum would gather them in production. Without them, PostgreSQL
    # plans joins and key-range statements for a handful of rows.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measured = "peak memory" if trace_memory else "wall time"
    print(f"{rows} rows per user, {measured}", flush=True)

    deletion = flows.request_deletion(engine_user, by_operator=True, publish=False)
    deferred: list[Any] = []

    def erase_with_engine() -> None:
        assert engine.erase(deletion.pk) == engine.DONE

    measure("user.delete() cascade", cascade_user.delete, trace_memory=trace_memory)
    # The residual check is an extra safety step that the cascade does not do, so it is held
    # back from the engine's time and timed on its own, on the same request.
    with patch.object(engine, "run_residual_check", deferred.append):
        measure("erasure engine", erase_with_engine, trace_memory=trace_memory)
    measure("residual check", lambda: run_residual_check(deferred[0]), trace_memory=trace_memory)
    deferred[0].refresh_from_db()
    assert deferred[0].residual_checked_at is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--batch-size", type=int, default=None, help="DATARIGHTS_ERASURE_BATCH_SIZE for the run."
    )
    args = parser.parse_args()
    configure(args.database)
    if args.batch_size:
        from django.conf import settings

        settings.DATARIGHTS_ERASURE_BATCH_SIZE = args.batch_size
    from django.db import connection

    print(f"database: {connection.vendor}, batch size: ", end="")
    from django_datarights.conf import app_settings

    print(app_settings.ERASURE_BATCH_SIZE)
    for rows in args.rows:
        run_size(rows, trace_memory=False)
        run_size(rows, trace_memory=True)


if __name__ == "__main__":
    main()
