"""Keyed hashes that stand for a user wherever a record must outlive the account."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from .conf import app_settings


def pseudonym_for(user: Any) -> str:
    """Return the pseudonymous id for a user object or primary key.

    HMAC-SHA256 over the user's primary key with ``DATARIGHTS_PSEUDONYM_KEY``: the same user
    always maps to the same id, and nobody without the key can map an id back to a user.
    """
    if user is None:
        return ""
    user_pk = getattr(user, "pk", user)
    digest = hmac.new(app_settings.PSEUDONYM_KEY, f"user:{user_pk}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]
