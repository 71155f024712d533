"""The worker fixtures themselves: a real worker, a real broker, the test database."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tests.services import probe_tasks
from tests.services.celery_worker import wait_until

pytestmark = pytest.mark.worker

User = get_user_model()


def user_exists(username: str) -> bool:
    return User.objects.filter(username=username).exists()


def test_worker_writes_to_test_database(worker):
    probe_tasks.create_user.delay("worker-probe")

    assert wait_until(lambda: user_exists("worker-probe"), timeout=20, what="probe row")


def test_task_published_on_commit_runs(worker):
    with transaction.atomic():
        transaction.on_commit(lambda: probe_tasks.create_user.delay("after-commit"))

    assert wait_until(lambda: user_exists("after-commit"), timeout=20, what="probe row")


def test_killed_worker_task_is_redelivered(start_worker, tmp_path):
    started = tmp_path / "started"
    release = tmp_path / "release"
    first = start_worker()
    probe_tasks.block_until_file.delay("redelivered", str(started), str(release))
    wait_until(started.exists, timeout=20, what="task start")

    first.kill()
    release.touch()
    start_worker()

    assert wait_until(lambda: user_exists("redelivered"), timeout=45, what="redelivered row")
    assert started.read_text().count("started") == 2
