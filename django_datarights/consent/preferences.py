"""Privacy preferences that host apps register, shown on the settings page.

Register them in a ``datarights.py`` module or in ``AppConfig.ready()``::

    register_preference(
        "profile_visibility", _("Who can see your profile"),
        choices=[("public", _("Everyone")), ("members", _("Members")), ("private", _("Only you"))],
        default="members",
    )
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import UserPreference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preference:
    key: str
    label: Any
    default: Any
    choices: tuple[tuple[Any, Any], ...] | None = None
    help_text: Any = ""

    @property
    def is_switch(self) -> bool:
        """Whether the preference is a plain on/off setting (no ``choices`` given)."""
        return self.choices is None

    def is_valid(self, value: Any) -> bool:
        if self.is_switch:
            return isinstance(value, bool)
        return any(value == choice for choice, _label in self.choices or ())

    def clean(self, raw: Any) -> Any:
        """Convert a submitted form value to the stored value; raise ``ValidationError``."""
        if self.is_switch:
            return raw in (True, "on", "true", "1")
        for choice, _label in self.choices or ():
            if str(choice) == str(raw):
                return choice
        raise ValidationError(
            _("“%(value)s” is not one of the choices for %(preference)s."),
            code="invalid_choice",
            params={"value": raw, "preference": self.label},
        )


_preferences: dict[str, Preference] = {}


def register_preference(
    key: str,
    label: Any,
    *,
    choices: Sequence[tuple[Any, Any]] | None = None,
    default: Any,
    help_text: Any = "",
) -> Preference:
    """Register a preference. Without ``choices`` it is an on/off switch with a bool default."""
    preference = Preference(
        key=key,
        label=label,
        default=default,
        choices=tuple(choices) if choices is not None else None,
        help_text=help_text,
    )
    if not preference.is_valid(default):
        raise ImproperlyConfigured(f"preference {key!r}: default {default!r} is not a valid value")
    if key in _preferences and _preferences[key] != preference:
        raise ImproperlyConfigured(f"preference {key!r} is already registered")
    _preferences[key] = preference
    return preference


def unregister_preference(key: str) -> None:
    _preferences.pop(key, None)


def registered_preferences() -> list[Preference]:
    return list(_preferences.values())


def get_preference(user: Any, key: str) -> Any:
    """Return ``user``'s value for ``key``, or the default when unset or no longer valid."""
    preference = _get(key)
    stored = (
        UserPreference.objects.filter(user=user, key=key).values_list("value", flat=True).first()
    )
    return stored if stored is not None and preference.is_valid(stored) else preference.default


def preference_values(user: Any) -> dict[str, Any]:
    """Return every registered preference's value for ``user`` with one query."""
    stored = dict(
        UserPreference.objects.filter(user=user, key__in=list(_preferences)).values_list(
            "key", "value"
        )
    )
    values = {}
    for key, preference in _preferences.items():
        value = stored.get(key)
        values[key] = (
            value if value is not None and preference.is_valid(value) else preference.default
        )
    return values


def set_preference(user: Any, key: str, value: Any) -> UserPreference:
    """Store ``user``'s value for ``key``; raise ``ValidationError`` for an invalid value."""
    preference = _get(key)
    if not preference.is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid value for %(preference)s."),
            code="invalid",
            params={"value": value, "preference": preference.label},
        )
    stored, _created = UserPreference.objects.update_or_create(
        user=user, key=key, defaults={"value": value, "updated_at": timezone.now()}
    )
    logger.info("preference %s saved, row %s", key, stored.pk)
    return stored


def _get(key: str) -> Preference:
    try:
        return _preferences[key]
    except KeyError:
        raise LookupError(f"no preference {key!r} is registered") from None
