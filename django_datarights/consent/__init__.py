"""Consent purposes, choices and their history.

The public API::

    from django_datarights.consent import has_consent, set_consent, users_consenting_to
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "consent_required",
    "get_preference",
    "has_consent",
    "list_unsubscribe_headers",
    "opt_out_url",
    "register_preference",
    "set_consent",
    "users_consenting_to",
]


def __getattr__(name: str) -> Any:
    # Imported lazily: this package is imported while the app registry is still loading.
    if name == "consent_required":
        from .decorators import consent_required

        return consent_required
    if name in ("get_preference", "register_preference"):
        from . import preferences

        return getattr(preferences, name)
    if name in ("has_consent", "users_consenting_to"):
        from . import queries

        return getattr(queries, name)
    if name in ("list_unsubscribe_headers", "opt_out_url"):
        from . import links

        return getattr(links, name)
    if name == "set_consent":
        from .flows import set_consent

        return set_consent
    raise AttributeError(name)
