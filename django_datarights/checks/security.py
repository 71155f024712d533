"""Checks on the guards: second-factor set-up, rate-limit cache, lockout key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from ..conf import app_settings

E040 = "datarights.E040"
W040 = "datarights.W040"
W041 = "datarights.W041"

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def check_second_factor(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report a required second factor with nowhere to set one up."""
    if app_settings.REQUIRE_SECOND_FACTOR and not app_settings.OTP_SETUP_URL:
        return [
            checks.Error(
                "DATARIGHTS_REQUIRE_SECOND_FACTOR is on but DATARIGHTS_OTP_SETUP_URL is not set, "
                "so users without a device cannot reach the sensitive actions.",
                hint="Set DATARIGHTS_OTP_SETUP_URL to the URL or URL name of your page that adds "
                "a django-otp device.",
                id=E040,
            )
        ]
    return []


def check_rate_limit_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn, on ``check --deploy``, when rate-limit counters are kept per process."""
    alias = app_settings.RATE_LIMIT_CACHE
    backend = getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES or not backend:
        return [
            checks.Warning(
                f"The cache {alias!r} that holds rate-limit counters is "
                f"{backend or 'missing'}, so each process counts attempts on its own.",
                hint="Point DATARIGHTS_RATE_LIMIT_CACHE at a cache shared by all processes "
                "(Redis, Memcached or the database cache).",
                id=W040,
            )
        ]
    return []


def check_lockout_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when django-axes counts each spelling of a username separately."""
    if not getattr(settings, "AXES_USERNAME_CALLABLE", None):
        return [
            checks.Warning(
                "AXES_USERNAME_CALLABLE is not set, so failures typed as 'name', 'NAME' or the "
                "account's email address each get their own lockout budget.",
                hint="Set AXES_USERNAME_CALLABLE = "
                "'django_datarights.reauth.axes.normalise_username'.",
                id=W041,
            )
        ]
    return []
