"""Helpers that make django-axes count every spelling of one account against one budget."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def normalise_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """Return the key django-axes counts failures under: the account's lower-cased username.

    Point ``AXES_USERNAME_CALLABLE`` at this function. Failures typed as ``radomir``,
    ``RADOMIR`` or the account's email address then share one budget. An email address that
    matches no account, or more than one, is counted under itself, lower-cased.
    """
    user_model = get_user_model()
    typed = ""
    if credentials:
        typed = credentials.get("username") or credentials.get(user_model.USERNAME_FIELD) or ""
    if not typed and request is not None:
        data = getattr(request, "data", None) or request.POST
        typed = data.get("username") or ""
    typed = str(typed).strip()
    if "@" in typed:
        email_field = user_model.get_email_field_name()
        usernames = list(
            user_model._default_manager.filter(**{f"{email_field}__iexact": typed}).values_list(
                user_model.USERNAME_FIELD, flat=True
            )[:2]
        )
        if len(usernames) == 1:
            typed = str(usernames[0])
    return typed.lower()
