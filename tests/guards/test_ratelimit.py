"""The cache-based, per-user throttle that other areas call before sensitive work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time

from django_datarights.ratelimit import RateLimitExceeded, check_rate, reset_rate


def test_within_limit_allowed(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 2

    assert check_rate(user, "export") is None
    assert check_rate(user, "export") is None


def test_over_limit_rejected(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 2
    start = timezone.now()
    with freeze_time(start):
        check_rate(user, "export")
        check_rate(user, "export")
        exceeded = check_rate(user, "export")

        assert isinstance(exceeded, RateLimitExceeded)
        assert exceeded.action == "export"
        assert exceeded.limit == 2
        assert exceeded.retry_after == 60 * 60


def test_message_says_when(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_DELETION_REQUESTS_PER_HOUR = 1
    start = timezone.now()
    with freeze_time(start):
        check_rate(user, "deletion")
    with freeze_time(start + timedelta(minutes=40)):
        exceeded = check_rate(user, "deletion")
        assert exceeded is not None
        assert exceeded.message == "Too many attempts. Try again in 20 minutes."
        assert exceeded.retry_after == 20 * 60


def test_window_end_restores_budget(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 1
    start = timezone.now()
    with freeze_time(start):
        check_rate(user, "export")
        assert check_rate(user, "export") is not None
    with freeze_time(start + timedelta(hours=1, seconds=1)):
        assert check_rate(user, "export") is None


def test_users_counted_apart(user: Any, other_user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 1
    check_rate(user, "export")

    assert check_rate(other_user, "export") is None


def test_actions_counted_apart(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 1
    check_rate(user, "export")

    assert check_rate(user, "deletion") is None


def test_reset_clears_count(user: Any, settings: Any) -> None:
    settings.DATARIGHTS_EXPORT_REQUESTS_PER_HOUR = 1
    check_rate(user, "export")
    reset_rate(user, "export")

    assert check_rate(user, "export") is None


def test_unknown_action_raises(user: Any) -> None:
    with pytest.raises(ValueError, match="Unknown rate-limited action 'exports'"):
        check_rate(user, "exports")


def test_simultaneous_attempts_all_counted(settings: Any) -> None:
    """Attempts from many threads at once are each counted: the count is an atomic increment."""
    import threading
    from types import SimpleNamespace

    from django.core.cache import caches

    from django_datarights.conf import app_settings

    settings.DATARIGHTS_REAUTH_MAX_PER_HOUR = 1000
    someone = SimpleNamespace(pk="threads-user")
    reset_rate(someone, "reauth")
    start = threading.Barrier(8)

    def attempts() -> None:
        start.wait(timeout=10)
        for _ in range(25):
            check_rate(someone, "reauth")

    threads = [threading.Thread(target=attempts) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    cache = caches[app_settings.RATE_LIMIT_CACHE]
    assert cache.get("datarights:rate:reauth:threads-user:count") == 200
    reset_rate(someone, "reauth")
    assert cache.get("datarights:rate:reauth:threads-user:count") is None
