"""Read ``DATABASE_URL`` (``postgres://user:pass@host:port/name`` or ``sqlite:///path``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import django

# Seconds a connection waits for another connection's write lock before it raises
# "database is locked".
SQLITE_LOCK_TIMEOUT = 20


def database_from_url(url: str | None, sqlite_default: Path) -> dict[str, Any]:
    if not url:
        return sqlite_database(str(sqlite_default))
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # ``sqlite:///name`` is relative to the working directory, ``sqlite:////name`` absolute.
        return sqlite_database(parts.path[1:] or ":memory:")
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres:// or sqlite://")


def sqlite_database(name: str) -> dict[str, Any]:
    """Return SQLite settings that let the demo server's threads write without failing.

    SQLite allows one writer at a time. A transaction that starts as a reader and then writes
    fails at once with "database is locked" when another connection is writing, whatever the
    timeout. ``IMMEDIATE`` transactions take the write lock when they begin, so a second writer
    waits up to the timeout instead. Django accepts ``transaction_mode`` from 5.1 on.
    """
    options: dict[str, Any] = {"timeout": SQLITE_LOCK_TIMEOUT}
    if django.VERSION >= (5, 1):
        options["transaction_mode"] = "IMMEDIATE"
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": options}
