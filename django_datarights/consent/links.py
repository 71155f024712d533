"""Signed opt-out links for emails, including RFC 8058 one-click unsubscribe.

A token is ``django.core.signing`` output: it carries the user's primary key and the purpose
slug, a timestamp and a signature. Signing is not encryption, so anyone holding the token can
decode those two values; it carries nothing else (no email address).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.urls import reverse

from ..adapter import get_adapter
from ..conf import app_settings

SALT = "django_datarights.consent.opt_out"


class InvalidLink(Exception):
    """The token's signature or content is invalid."""


class ExpiredLink(Exception):
    """The token is correctly signed but older than ``OPT_OUT_LINK_MAX_AGE``."""


@dataclass(frozen=True)
class OptOutToken:
    user_pk: Any
    purpose_slug: str


def make_token(user: Any, purpose_slug: str) -> str:
    return signing.dumps({"u": getattr(user, "pk", user), "p": purpose_slug}, salt=SALT)


def read_token(token: str) -> OptOutToken:
    """Return the token's content; raise ``ExpiredLink`` or ``InvalidLink``."""
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=app_settings.OPT_OUT_LINK_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), str) or "u" not in payload:
        raise InvalidLink
    return OptOutToken(user_pk=payload["u"], purpose_slug=payload["p"])


def opt_out_url(user: Any, purpose_slug: str) -> str:
    """Return an absolute link that lets ``user`` withdraw from ``purpose_slug`` without logging in.

    The link opens a confirmation page, so a mail scanner that follows it changes nothing.
    """
    path = reverse("datarights:consent-opt-out", args=[make_token(user, purpose_slug)])
    return get_adapter().build_absolute_url(path)


def one_click_url(user: Any, purpose_slug: str) -> str:
    path = reverse("datarights:consent-one-click", args=[make_token(user, purpose_slug)])
    return get_adapter().build_absolute_url(path)


def list_unsubscribe_headers(user: Any, purpose_slug: str) -> dict[str, str]:
    """Return the ``List-Unsubscribe`` headers of RFC 8058 for an email about ``purpose_slug``.

    Mail clients that support one-click unsubscribe send ``List-Unsubscribe=One-Click`` by POST
    to the URL; the endpoint needs neither a session nor a CSRF token.
    """
    return {
        "List-Unsubscribe": f"<{one_click_url(user, purpose_slug)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
