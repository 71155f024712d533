"""Checks on the app's settings."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core import checks

W001 = "datarights.W001"
W002 = "datarights.W002"
E001 = "datarights.E001"
E002 = "datarights.E002"


def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn, on ``check --deploy``, when keys are derived from ``SECRET_KEY``."""
    messages: list[checks.CheckMessage] = []
    if not getattr(settings, "DATARIGHTS_ARCHIVE_KEYS", None):
        messages.append(
            checks.Warning(
                "DATARIGHTS_ARCHIVE_KEYS is not set, so export archives are encrypted with a key "
                "derived from SECRET_KEY.",
                hint="Set DATARIGHTS_ARCHIVE_KEYS to a list of 32-byte keys in URL-safe base64, "
                "current key first. Rotating SECRET_KEY would otherwise make archives unreadable.",
                id=W001,
            )
        )
    if not getattr(settings, "DATARIGHTS_PSEUDONYM_KEY", None):
        messages.append(
            checks.Warning(
                "DATARIGHTS_PSEUDONYM_KEY is not set, so pseudonymous ids are keyed with a value "
                "derived from SECRET_KEY.",
                hint="Set DATARIGHTS_PSEUDONYM_KEY to a long random string kept apart from "
                "SECRET_KEY, and never change it: audit records are matched through it.",
                id=W002,
            )
        )
    return messages


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for index, key in enumerate(getattr(settings, "DATARIGHTS_ARCHIVE_KEYS", None) or []):
        try:
            raw = base64.urlsafe_b64decode(str(key) + "=" * (-len(str(key)) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            messages.append(
                checks.Error(
                    f"DATARIGHTS_ARCHIVE_KEYS[{index}] is not 32 bytes of URL-safe base64.",
                    hint="Generate one with: python -c \"import base64, os; "
                    "print(base64.urlsafe_b64encode(os.urandom(32)).decode())\"",
                    id=E001,
                )
            )
    mode = getattr(settings, "DATARIGHTS_IP_ADDRESS_MODE", "truncate")
    if mode not in ("truncate", "hash", "none"):
        messages.append(
            checks.Error(
                f"DATARIGHTS_IP_ADDRESS_MODE is {mode!r}.",
                hint="Use 'truncate', 'hash' or 'none'.",
                id=E002,
            )
        )
    return messages
