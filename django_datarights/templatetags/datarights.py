"""Template tags: ``{% load datarights %}``."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.shortcuts import resolve_url
from django.utils import dateformat, formats, timezone
from django.utils.translation import ngettext

from ..conf import app_settings
from ..consent.queries import has_consent as _has_consent

register = template.Library()


@register.simple_tag(takes_context=True)
def has_consent(context: dict[str, Any], purpose_slug: str) -> bool:
    """Return whether the current user consents to ``purpose_slug``.

    ``{% has_consent "newsletter" as ok %}{% if ok %}…{% endif %}``. Uses the request's cache,
    so any number of checks on a page cost one query.
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _has_consent(user, purpose_slug, request)


@register.simple_tag
def datarights_home() -> dict[str, str]:
    """Return the header link back to the site: ``{"url": ..., "site_name": ...}``.

    ``{% datarights_home as home %}``. ``DATARIGHTS_HOME_URL`` may be a URL name.
    """
    return {"url": resolve_url(app_settings.HOME_URL), "site_name": app_settings.SITE_NAME}


@register.filter
def deadline(value: datetime.datetime | None) -> str:
    """Format a moment the reader must act by, in the current time zone and naming it.

    ``{{ deletion.due_at|deadline }}`` gives e.g. "Dec. 5, 2026, 12:51 a.m. CET": an email is
    often read far from the server, so the time alone could mislead.
    """
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    zone = dateformat.format(local, "T") if timezone.is_aware(value) else ""
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {zone}".strip()


@register.filter
def period(value: datetime.timedelta) -> str:
    """Format a retention period in whole years, days or hours: ``{{ rule.period|period }}``."""
    if not isinstance(value, datetime.timedelta):
        return ""
    days = value.days
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, round(value.total_seconds() / 3600))
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
