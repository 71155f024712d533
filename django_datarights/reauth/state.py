"""The record of a recent re-authentication: a timestamp in the user's session."""

from __future__ import annotations

import time

from django.http import HttpRequest

from ..conf import app_settings

SESSION_KEY = "_datarights_reauth_at"


def mark_reauthenticated(request: HttpRequest) -> None:
    """Record that the user proved their identity just now."""
    request.session[SESSION_KEY] = time.time()


def is_reauthenticated(request: HttpRequest) -> bool:
    """Whether the user re-authenticated within ``DATARIGHTS_REAUTH_WINDOW``."""
    stamp = request.session.get(SESSION_KEY)
    if not isinstance(stamp, (int, float)):
        return False
    age = time.time() - stamp
    return 0 <= age <= app_settings.REAUTH_WINDOW.total_seconds()


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
