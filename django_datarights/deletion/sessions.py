"""Ending every session of a user, for deletion requests and cancellations.

Django keeps no index from a user to their sessions, so ``end_sessions_for`` reads the
database session table in primary-key chunks and decodes each unexpired session to find the
ones whose ``_auth_user_id`` is the user. This works with the ``db`` and ``cached_db`` session
engines. With a cache-only or signed-cookie engine there is no table to scan. Those sessions
still stop working at once, because a deactivated or deleted user fails
``ModelBackend.get_user`` on the next request.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)

SESSION_CHUNK_SIZE = 1000


def end_sessions_for(user: Any) -> int:
    """Delete every stored session logged in as ``user`` (object or pk); return the count."""
    if not _engine_uses_database():
        return 0
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    user_pk = str(getattr(user, "pk", user))
    now = timezone.now()
    ended = 0
    last_key = ""
    while True:
        chunk = list(
            Session.objects.filter(expire_date__gt=now, session_key__gt=last_key)
            .order_by("session_key")
            .values_list("session_key", "session_data")[:SESSION_CHUNK_SIZE]
        )
        if not chunk:
            break
        last_key = chunk[-1][0]
        for session_key, session_data in chunk:
            # ``decode`` returns an empty dict for data that fails its signature check.
            decoded = store_class().decode(session_data)
            if str(decoded.get(SESSION_KEY, "")) == user_pk:
                # Deleting through the store also drops the cached copy (``cached_db``).
                store_class(session_key=session_key).delete()
                ended += 1
    logger.info("ended %d sessions of a user", ended)
    return ended


def _engine_uses_database() -> bool:
    return settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )
