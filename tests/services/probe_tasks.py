"""Tasks that exist only to prove the worker fixtures; the worker loads them with ``--include``.

They write to the database the worker was given, so a test that finds their rows knows the
worker used the test database, and ``block_until_file`` lets a test kill a worker mid-task.
"""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task
from django.contrib.auth import get_user_model

#: Maximum time ``block_until_file`` waits, so a forgotten flag cannot hang a worker forever.
MAX_BLOCK_SECONDS = 60.0


@shared_task(name="tests.probe.create_user")
def create_user(username: str) -> None:
    get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.invalid"}
    )


@shared_task(name="tests.probe.block_until_file")
def block_until_file(username: str, started: str, release: str) -> None:
    """Record the start in ``started``, wait for ``release`` to exist, then create the user.

    Each run appends one line to ``started``, so a test can count deliveries.
    """
    with open(started, "a") as marker:
        marker.write("started\n")
    deadline = time.monotonic() + MAX_BLOCK_SECONDS
    while not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"release file not created within {MAX_BLOCK_SECONDS:.0f} s")
        time.sleep(0.05)
    create_user(username)
