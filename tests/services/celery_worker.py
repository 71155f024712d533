"""Start a real ``celery worker`` or ``celery beat`` process against the test database.

The child processes load ``tests.settings`` with ``DATARIGHTS_TEST_REAL_WORKER=1``, so tasks go
through the Redis broker instead of running eagerly, and with a ``DATABASE_URL`` that names
pytest-django's test database, so the worker reads what the test committed. Tests that use a
worker therefore need ``transactional_db``: rows inside an open test transaction are invisible
to another process.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from celery import Celery
from django.db import connections
from kombu import pools as kombu_pools

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
INCLUDED_MODULES = "tests.services.probe_tasks,tests.services.worker_hooks"

#: Seconds an unacknowledged message stays reserved before Redis hands it out again. Short, so
#: a test that kills a worker gets the task redelivered within seconds.
VISIBILITY_TIMEOUT = 5
START_TIMEOUT = 45.0
STOP_TIMEOUT = 15.0

_names = itertools.count(1)


def wait_until(
    condition: Callable[[], Any], timeout: float, interval: float = 0.1, what: str = "condition"
) -> Any:
    """Poll ``condition`` until it returns a true value, and return that value.

    Raises ``TimeoutError`` after ``timeout`` seconds. This is the one place where the service
    tests wait on the clock, because the other process gives no callback.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)


def test_database_url() -> str:
    """Return a ``postgres://`` URL for the database pytest-django created for this run."""
    params = connections["default"].settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    credentials = ""
    if user:
        credentials = f"{user}:{password}@" if password else f"{user}@"
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(params['NAME'], safe='')}"


def child_environment(broker_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "DATARIGHTS_TEST_REAL_WORKER": "1",
            "DATARIGHTS_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class CeleryProcess:
    """One ``celery`` child process with its log file; stopped with bounded waits."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self.argv, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        logger.info("celery process started pid=%s", self.process.pid)

    @property
    def pid(self) -> int:
        assert self.process is not None, "process not started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def kill(self) -> None:
        """Send SIGKILL, as when a machine dies: no shutdown code runs, nothing is acknowledged."""
        if self.running():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
            logger.info("celery process killed pid=%s", self.process.pid)

    def stop(self) -> None:
        """Ask for a warm shutdown (SIGTERM), then SIGKILL after ``STOP_TIMEOUT`` seconds."""
        if not self.running():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            logger.warning("celery process ignored SIGTERM pid=%s; killing", self.process.pid)
            self.kill()


class CeleryWorker(CeleryProcess):
    """A ``celery worker`` with the solo pool: one task at a time, in the main process."""

    def __init__(
        self,
        app: Celery,
        broker_url: str,
        log_path: Path,
        queue: str = "celery",
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.hostname = f"datarights-test-{os.getpid()}-{next(_names)}@localhost"
        argv = [
            sys.executable, "-m", "celery", "-A", "example_project", "worker",
            "--pool=solo", "--concurrency=1", "--prefetch-multiplier=1",
            "--queues", queue, "--hostname", self.hostname, "--include", INCLUDED_MODULES,
            "--without-gossip", "--without-mingle", "--loglevel=INFO",
        ]  # fmt: skip
        super().__init__(argv, child_environment(broker_url, extra_env), log_path)

    def start(self) -> None:
        super().start()
        self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the worker replies to a broadcast ping, or raise with its log."""

        def answered() -> bool:
            if not self.running():
                raise RuntimeError(f"celery worker exited at start:\n{self.log_tail()}")
            return bool(self.app.control.ping(destination=[self.hostname], timeout=0.5))

        try:
            wait_until(answered, START_TIMEOUT, interval=0.2, what="worker ping")
        except TimeoutError as error:
            self.stop()
            raise TimeoutError(f"{error}; worker log:\n{self.log_tail()}") from error


class CeleryBeat(CeleryProcess):
    """``celery beat`` with every entry of the schedule firing each ``interval`` seconds."""

    def __init__(self, broker_url: str, workdir: Path, interval: float) -> None:
        argv = [
            sys.executable, "-m", "celery", "-A", "example_project", "beat",
            "--schedule", str(workdir / "beat-schedule"), "--max-interval", "1",
            "--loglevel=INFO",
        ]  # fmt: skip
        env = child_environment(broker_url, {"DATARIGHTS_TEST_BEAT_SECONDS": str(interval)})
        super().__init__(argv, env, workdir / "beat.log")

    def start(self) -> None:
        super().start()
        try:
            wait_until(
                lambda: "beat: Starting" in self.log_text() or not self.running(),
                START_TIMEOUT,
                what="beat start",
            )
        except TimeoutError as error:
            self.stop()
            raise TimeoutError(f"{error}; beat log:\n{self.log_tail()}") from error
        if not self.running():
            raise RuntimeError(f"celery beat exited at start:\n{self.log_tail()}")


@contextlib.contextmanager
def publishing_to(app: Celery, broker_url: str) -> Iterator[None]:
    """Make this process publish tasks to ``broker_url`` instead of running them eagerly.

    Celery caches its connection pools, so they are dropped on the way in and out.
    """
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    _drop_pools(app)
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        },
    )
    try:
        yield
    finally:
        _drop_pools(app)
        app.conf.update(saved)


def _drop_pools(app: Celery) -> None:
    # kombu also keeps producer pools in a process-wide registry keyed by connection. Without
    # reset() the next test would get a pool whose connections were closed.
    kombu_pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()
