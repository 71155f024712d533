"""Fixtures that run tasks through Redis on a real Celery worker (and beat).

Imported by the conftest of each test directory that uses a worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.availability import redis_url
from tests.services.celery_worker import CeleryBeat, CeleryWorker, flush_redis, publishing_to


@pytest.fixture
def celery_app() -> Any:
    from example_project.celery import app

    return app


@pytest.fixture
def broker(transactional_db: Any, celery_app: Any) -> Iterator[str]:
    """Publish this test's tasks to an emptied, dedicated Redis database."""
    url = redis_url()
    flush_redis(url)
    with publishing_to(celery_app, url):
        yield url
    flush_redis(url)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    """Directory where worker processes write the emails they send, one file per connection."""
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker_mail(mail_dir: Path) -> Callable[[str], int]:
    """Return a function counting the worker's emails whose subject contains a text."""

    def count(subject_part: str) -> int:
        subjects = [
            line
            for path in mail_dir.iterdir()
            for line in path.read_text(errors="replace").splitlines()
            if line.startswith("Subject:")
        ]
        return sum(subject_part in subject for subject in subjects)

    return count


@pytest.fixture
def start_worker(
    broker: str, celery_app: Any, tmp_path: Path, mail_dir: Path
) -> Iterator[Callable[..., CeleryWorker]]:
    """Start workers on demand (a test may kill one and start another); all stop at teardown.

    ``settings`` are Django settings for the worker process (durations in seconds), and
    ``block_dir`` turns on the blocking dataset of ``tests.services.worker_hooks``.
    """
    workers: list[CeleryWorker] = []

    def start(
        settings: dict[str, Any] | None = None, block_dir: Path | None = None
    ) -> CeleryWorker:
        env = {
            "DATARIGHTS_TEST_EMAIL_DIR": str(mail_dir),
            "DATARIGHTS_TEST_SETTINGS": json.dumps(settings or {}),
        }
        if block_dir is not None:
            env["DATARIGHTS_TEST_BLOCK_DIR"] = str(block_dir)
        log_path = tmp_path / f"worker-{len(workers) + 1}.log"
        worker = CeleryWorker(celery_app, broker, log_path, extra_env=env)
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def worker(start_worker: Callable[..., CeleryWorker]) -> CeleryWorker:
    return start_worker()


@pytest.fixture
def start_beat(broker: str, tmp_path: Path) -> Iterator[Callable[[float], CeleryBeat]]:
    """Start ``celery beat`` with every schedule entry firing each ``interval`` seconds."""
    processes: list[CeleryBeat] = []

    def start(interval: float = 1.0) -> CeleryBeat:
        beat = CeleryBeat(broker, tmp_path, interval)
        processes.append(beat)
        beat.start()
        return beat

    yield start
    for beat in processes:
        beat.stop()
