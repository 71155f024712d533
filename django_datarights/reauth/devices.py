"""The user's second factors, as django-otp stores them."""

from __future__ import annotations

from typing import Any

from django_otp import devices_for_user


def has_second_factor(user: Any) -> bool:
    """Whether the user has at least one confirmed django-otp device (TOTP, backup codes...)."""
    return any(True for _ in devices_for_user(user, confirmed=True))
