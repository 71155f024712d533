"""Read ``DATABASE_URL`` (``postgres://user:pass@host:port/name`` or ``sqlite:///path``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def database_from_url(url: str | None, sqlite_default: Path) -> dict[str, Any]:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_default)}
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # ``sqlite:///name`` is relative to the working directory, ``sqlite:////name`` absolute.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parts.path[1:] or ":memory:"}
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
