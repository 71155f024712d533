"""Detect which real services this machine offers, and why one is missing.

Each ``*_missing()`` function returns ``None`` when the service can be used, or a sentence
naming what is missing and how to provide it. That sentence becomes the skip reason.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

from django.db import connections

POSTGRES_URL_EXAMPLE = "postgres://postgres@127.0.0.1:5432/datarights"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
DEFAULT_CHROMIUM = "/usr/bin/chromium"

SERVICE_MARKERS = ("postgres", "worker", "browser")


def services_required() -> bool:
    """Return whether a skipped service test must count as a failure (CI, or forced locally)."""
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    forced = os.environ.get("DATARIGHTS_REQUIRE_SERVICES", "") not in ("", "0")
    return ci or forced


def redis_url() -> str:
    """Return the Redis database the worker tests use; the tests flush it, so keep it dedicated."""
    return os.environ.get("DATARIGHTS_TEST_REDIS_URL", DEFAULT_REDIS_URL)


def chromium_path() -> str:
    return os.environ.get("DATARIGHTS_CHROMIUM", DEFAULT_CHROMIUM)


def postgres_missing() -> str | None:
    if connections["default"].vendor == "postgresql":
        return None
    return f"needs PostgreSQL: set DATABASE_URL={POSTGRES_URL_EXAMPLE}"


def redis_missing() -> str | None:
    parts = urlsplit(redis_url())
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(16)
    except OSError as error:
        return f"needs Redis at {host}:{port} ({error}); start redis-server"
    if not reply.startswith(b"+PONG"):
        return f"needs Redis at {host}:{port}; PING returned {reply!r}"
    return None


def worker_missing() -> str | None:
    """Return why a real worker cannot run: it needs a database it can share and a broker.

    The worker is a separate process, so SQLite's in-memory test database is out of its reach.
    """
    return postgres_missing() or redis_missing()


def browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright: pip install playwright"
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        return f"needs Chromium at {path}: apt-get install chromium, or set DATARIGHTS_CHROMIUM"
    return None


MISSING_CHECKS = {
    "postgres": postgres_missing,
    "worker": worker_missing,
    "browser": browser_missing,
}
