"""System checks on the guards, with their exact ids."""

from __future__ import annotations

from typing import Any

from django_datarights.checks.security import (
    E040,
    W040,
    W041,
    check_lockout_key,
    check_rate_limit_cache,
    check_second_factor,
)


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_second_factor_without_setup_url(settings: Any) -> None:
    settings.DATARIGHTS_REQUIRE_SECOND_FACTOR = True
    settings.DATARIGHTS_OTP_SETUP_URL = None

    assert ids(check_second_factor()) == [E040]


def test_second_factor_with_setup_url(settings: Any) -> None:
    settings.DATARIGHTS_REQUIRE_SECOND_FACTOR = True
    settings.DATARIGHTS_OTP_SETUP_URL = "accounts:otp_setup"

    assert check_second_factor() == []


def test_local_memory_cache_warned(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert ids(check_rate_limit_cache()) == [W040]


def test_missing_cache_alias_warned(settings: Any) -> None:
    settings.DATARIGHTS_RATE_LIMIT_CACHE = "ratelimits"

    assert ids(check_rate_limit_cache()) == [W040]


def test_redis_cache_accepted(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }

    assert check_rate_limit_cache() == []


def test_lockout_key_missing_warned(settings: Any) -> None:
    settings.AXES_USERNAME_CALLABLE = None

    assert ids(check_lockout_key()) == [W041]


def test_example_lockout_key_accepted() -> None:
    assert check_lockout_key() == []
