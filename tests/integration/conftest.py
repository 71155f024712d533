"""Fixtures that run tasks through Redis on a real Celery worker (and beat)."""

from __future__ import annotations

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
def start_worker(
    broker: str, celery_app: Any, tmp_path: Path
) -> Iterator[Callable[[], CeleryWorker]]:
    """Start workers on demand (a test may kill one and start another); all stop at teardown."""
    workers: list[CeleryWorker] = []

    def start() -> CeleryWorker:
        worker = CeleryWorker(celery_app, broker, tmp_path / f"worker-{len(workers) + 1}.log")
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def worker(start_worker: Callable[[], CeleryWorker]) -> CeleryWorker:
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
