"""Site policy that a host project may override by subclassing ``DefaultAdapter``.

Point ``DATARIGHTS_ADAPTER`` at the subclass. Every method has a working default.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.module_loading import import_string

from .conf import app_settings


class DefaultAdapter:
    def get_email(self, user: Any) -> str:
        """Return the address the app writes to about ``user``, or an empty string."""
        field_name = (
            user.get_email_field_name() if hasattr(user, "get_email_field_name") else "email"
        )
        return str(getattr(user, field_name, "") or "")

    def build_absolute_url(self, path: str) -> str:
        """Return an absolute URL for links in emails sent from background tasks."""
        return f"{app_settings.BASE_URL}{path}"

    def identifiers_for(self, user: Any) -> list[str]:
        """Return the strings that identify ``user``, searched for by the residual check."""
        values = [
            getattr(user, user.USERNAME_FIELD, ""),
            self.get_email(user),
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
        ]
        full_name = " ".join(
            v for v in (getattr(user, "first_name", ""), getattr(user, "last_name", "")) if v
        )
        values.append(full_name)
        return [str(v) for v in values if v and len(str(v)) >= 3]

    def is_operator(self, user: Any) -> bool:
        """Whether ``user`` may act on other users' requests outside the admin."""
        return bool(getattr(user, "is_staff", False))


@lru_cache(maxsize=4)
def _load(path: str) -> DefaultAdapter:
    return import_string(path)()


def get_adapter() -> DefaultAdapter:
    return _load(app_settings.ADAPTER)
