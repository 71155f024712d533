"""Short-window, per-user rate limits kept in Django's cache.

Each sensitive action has a budget of attempts per hour. The counter is a fixed window: the hour
starts with the user's first attempt and the whole budget comes back when it ends. Limits are a
throttle against scripted repetition; lasting limits (exports per day) are counted in the
database by the flows themselves.

Other areas call :func:`check_rate` before they do the work::

    exceeded = check_rate(request.user, "export")
    if exceeded is not None:
        messages.error(request, exceeded.message)
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from .conf import app_settings

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


ACTIONS = ("export", "deletion", "reauth")


def _limits() -> dict[str, int]:
    # Read at call time so that settings overridden in tests take effect.
    return {
        "export": app_settings.EXPORT_REQUESTS_PER_HOUR,
        "deletion": app_settings.DELETION_REQUESTS_PER_HOUR,
        "reauth": app_settings.REAUTH_MAX_PER_HOUR,
    }


@dataclass(frozen=True)
class RateLimitExceeded:
    """A rejected attempt: which action, its hourly limit and when the budget comes back."""

    action: str
    limit: int
    retry_at: datetime

    @property
    def retry_after(self) -> int:
        """Whole seconds until the next attempt is allowed, for a ``Retry-After`` header."""
        remaining = (self.retry_at - timezone.now()).total_seconds()
        return max(1, math.ceil(remaining))

    @property
    def message(self) -> str:
        """A translated sentence for the user that says when to try again."""
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "Too many attempts. Try again in %(minutes)d minute.",
            "Too many attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}

    def __str__(self) -> str:
        return self.message


def _cache_key(action: str, user_pk: Any) -> str:
    return f"datarights:rate:{action}:{user_pk}"


def check_rate(user: Any, action: str) -> RateLimitExceeded | None:
    """Count one attempt of ``action`` by ``user`` and return the rejection if over the limit.

    ``action`` is one of :data:`ACTIONS`. The attempt is counted whether or not it is allowed,
    so hammering a rejected action does not shorten the wait. Returns ``None`` when the attempt
    is within the hourly budget.
    """
    limits = _limits()
    if action not in limits:
        raise ValueError(
            gettext("Unknown rate-limited action %(action)r; expected one of %(known)s.")
            % {"action": action, "known": ", ".join(ACTIONS)}
        )
    limit = limits[action]
    cache = caches[app_settings.RATE_LIMIT_CACHE]
    key = _cache_key(action, user.pk)
    now = time.time()

    # Two entries: the count, and the window's start, which the rejection reports as its end.
    # cache.add is atomic on every backend, so two first attempts cannot both open a window.
    # cache.incr is atomic on Redis, Memcached and the local-memory cache. The database cache
    # reads and then writes, so there two simultaneous attempts may count as one.
    cache.add(f"{key}:start", now, timeout=WINDOW_SECONDS)
    started = cache.get(f"{key}:start", now)
    # Rounded down, so the count never outlives its window's start.
    remaining = max(1, int(started + WINDOW_SECONDS - now))
    if cache.add(f"{key}:count", 1, timeout=remaining):
        count = 1
    else:
        try:
            count = int(cache.incr(f"{key}:count"))
        except ValueError:
            # The count expired between add and incr: this attempt opens it again.
            cache.set(f"{key}:count", 1, timeout=remaining)
            count = 1

    if count <= limit:
        return None
    retry_at = datetime.fromtimestamp(started + WINDOW_SECONDS, tz=dt_timezone.utc)
    logger.warning(
        "rate limit reached action=%s user_id=%s count=%d limit=%d", action, user.pk, count, limit
    )
    return RateLimitExceeded(action=action, limit=limit, retry_at=retry_at)


def reset_rate(user: Any, action: str) -> None:
    """Forget the counted attempts of ``action`` by ``user`` (for operators and tests)."""
    key = _cache_key(action, user.pk)
    caches[app_settings.RATE_LIMIT_CACHE].delete_many([f"{key}:start", f"{key}:count"])


def retry_after_header(exceeded: RateLimitExceeded) -> dict[str, str]:
    """Return the ``Retry-After`` header for a 429 response."""
    return {"Retry-After": str(exceeded.retry_after)}


__all__ = ["ACTIONS", "RateLimitExceeded", "check_rate", "reset_rate", "retry_after_header"]
