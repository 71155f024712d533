"""Two workers enforcing the same policy at once, each on its own PostgreSQL connection."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from django_datarights.models import RetentionPolicy, RetentionRun
from django_datarights.models.retention import RunStatus
from django_datarights.retention import engine
from example_project.shop.models import ActivityLog

from .conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 10


def test_only_one_worker_processes(
    make_user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATARIGHTS_RETENTION_MAX_SHARE = 1.0
    owner = make_user("kasimir")
    for days in range(31, 41):
        ActivityLog.objects.create(
            user=owner, action="login", created_at=NOW - timedelta(days=days)
        )
    policy = RetentionPolicy.objects.create(
        key="concurrent.logs",
        name="Concurrency test",
        model="shop.ActivityLog",
        date_field="created_at",
        period=timedelta(days=30),
    )
    other_finished = threading.Event()
    real_process = engine._process_records

    def slow_process(*args: Any, **kwargs: Any) -> None:
        # Hold the run open until the other worker has given up, so the two overlap.
        other_finished.wait(WAIT_SECONDS)
        real_process(*args, **kwargs)

    monkeypatch.setattr(engine, "_process_records", slow_process)
    start = threading.Barrier(2, timeout=WAIT_SECONDS)
    statuses: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            run = engine.enforce_policy(policy.pk, now=NOW)
            statuses.append(str(run.status))
            if run.status == RunStatus.SKIPPED:
                other_finished.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * WAIT_SECONDS)

    assert errors == []
    assert sorted(statuses) == [RunStatus.DONE, RunStatus.SKIPPED]
    assert ActivityLog.objects.count() == 0
    done = RetentionRun.objects.get(policy=policy, status=RunStatus.DONE)
    assert done.rows_deleted == 10
