"""Fixtures that run tasks through Redis on a real Celery worker (and beat)."""

from tests.services.worker_fixtures import (  # noqa: F401
    broker,
    celery_app,
    mail_dir,
    start_beat,
    start_worker,
    worker,
    worker_mail,
)
