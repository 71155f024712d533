"""Periodic work for the demo when there is no Celery broker.

Without ``CELERY_BROKER_URL`` the example project runs tasks eagerly, in the web process, and no
beat process runs, so nothing would start the due erasures or expire old archives. With
``EXAMPLE_DEMO_BEAT=1`` in the environment (``scripts/demo.sh`` sets it), the shop app starts
one daemon thread that runs the sweeps every 15 seconds and the retention task once a day.
With a broker configured it does nothing: the real beat schedule is used.

This is for the demo only. In production run ``celery beat`` with ``beat_schedule()``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)

SWEEP_TASKS = ("datarights.deletion.sweep", "datarights.export.sweep")
RETENTION_TASK = "datarights.retention.enforce_all"
SWEEP_INTERVAL_SECONDS = 15.0
RETENTION_INTERVAL_SECONDS = 24 * 60 * 60.0
THREAD_NAME = "example-demo-beat"

_started_lock = threading.Lock()
_started: threading.Thread | None = None


def is_enabled() -> bool:
    """Return whether the demo beat should run: asked for, and no broker configured."""
    return os.environ.get("EXAMPLE_DEMO_BEAT") == "1" and not getattr(
        settings, "CELERY_BROKER_URL", ""
    )


def run_task(name: str) -> bool:
    """Run the registered Celery task ``name`` in this process; return whether it ran.

    ``app.send_task`` would publish to a broker even in eager mode, so the task object is
    looked up and applied directly. A name with no registered task is skipped. A failing task
    is logged and reported as not run, so the next round still runs.
    """
    from example_project.celery import app

    # Outside a worker, autodiscovery waits for the loader's import_modules signal, so only
    # the tasks some code already imported are registered. Loading the default modules sends
    # it, and later calls reuse the imported modules.
    app.loader.import_default_modules()
    task = app.tasks.get(name)
    if task is None:
        logger.debug("demo beat: task %s is not registered, skipped", name)
        return False
    try:
        result = task.apply()
    except Exception:
        logger.exception("demo beat: task %s failed", name)
        return False
    if result.failed():
        # Only the exception's type: its message may contain personal data.
        logger.error("demo beat: task %s failed with %s", name, type(result.result).__name__)
        return False
    logger.info("demo beat: ran %s", name)
    return True


def run_due(last_retention: float | None, now: float) -> float | None:
    """Run the sweeps, and the retention task when a day has passed since ``last_retention``.

    Returns the time the retention task last ran, for the next call.
    """
    for name in SWEEP_TASKS:
        run_task(name)
    if last_retention is None or now - last_retention >= RETENTION_INTERVAL_SECONDS:
        if run_task(RETENTION_TASK):
            return now
    return last_retention


def _loop(
    stop: threading.Event,
    interval: float = SWEEP_INTERVAL_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    from django.db import close_old_connections

    logger.info("demo beat started: sweeps every %.0f s, retention daily", interval)
    # The first retention run is a day after start, so the demo's past-retention rows stay
    # until someone runs ``manage.py datarights_retention`` to watch them go.
    last_retention: float | None = clock()
    while not stop.wait(interval):
        close_old_connections()
        try:
            last_retention = run_due(last_retention, clock())
        finally:
            close_old_connections()
    logger.info("demo beat stopped")


def start(stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the demo beat thread once per process when it is enabled; return the thread."""
    global _started
    if not is_enabled():
        return None
    with _started_lock:
        if _started is not None and _started.is_alive():
            return _started
        thread = threading.Thread(
            target=_loop, args=(stop or threading.Event(),), name=THREAD_NAME, daemon=True
        )
        thread.start()
        _started = thread
        return thread
