"""The activity section of the privacy settings page: the user's own part of the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from ..models import AuditEvent
from ..pseudonyms import pseudonym_for
from .log import ActorKind

# Wording for the events a user may see about themselves. Actions not listed here are shown
# under their action name, so a new event is never hidden from the user.
ACTION_LABELS = {
    "consent.policy_accepted": _("Privacy policy accepted"),
    "export.requested": _("Data export requested"),
    "export.built": _("Data export ready"),
    "export.downloaded": _("Data export downloaded"),
    "export.expired": _("Data export expired and destroyed"),
    "export.failed": _("Data export failed"),
    "export.retried": _("Data export started again"),
    "export.written_by_command": _("Data export written by an operator"),
    "deletion.requested": _("Account deletion requested"),
    "deletion.cancelled": _("Account deletion cancelled"),
    "deletion.expedited": _("Account deletion brought forward"),
    "deletion.hold_placed": _("Account deletion paused by a legal hold"),
    "deletion.hold_released": _("Legal hold on the account deletion released"),
    "deletion.retried": _("Account deletion started again"),
    "deletion.failed": _("Account deletion stopped by an error"),
    "admin.viewed": _("Your records were opened by an operator"),
    "account.email_changed": _("Email address changed"),
    "account.otp_enabled": _("Two-factor authentication turned on"),
}


def _label(event: AuditEvent) -> Any:
    if event.action == "consent.changed":
        # The consent flow stores the purpose's slug and the new choice in the details.
        purpose = event.details.get("purpose", "")
        if event.details.get("given"):
            return format_lazy("{}: {}", _("Consent given"), purpose)
        return format_lazy("{}: {}", _("Consent withdrawn"), purpose)
    return ACTION_LABELS.get(event.action, event.action)


def _performed_by(event: AuditEvent, subject: str) -> Any:
    if event.actor_kind == ActorKind.OPERATOR:
        return _("an operator")
    if event.actor_kind == ActorKind.SYSTEM:
        return _("the site, automatically")
    if event.actor == subject:
        return _("you")
    return _("another user")


def section_context(request: HttpRequest) -> dict[str, Any]:
    """Return the newest audit events about the current user, at most ``ACTIVITY_MAX_EVENTS``.

    Runs one query. Each entry carries the time, a label and who performed it; no pseudonyms
    or hashes are shown.
    """
    subject = pseudonym_for(request.user)
    limit = app_settings.ACTIVITY_MAX_EVENTS
    events = list(
        AuditEvent.objects.filter(subject=subject)
        .order_by("-sequence")
        .only("sequence", "created_at", "action", "actor_kind", "actor", "outcome", "details")[
            : limit + 1
        ]
    )
    entries = [
        {
            "when": event.created_at,
            "label": _label(event),
            "by": _performed_by(event, subject),
            "outcome": event.outcome,
        }
        for event in events[:limit]
    ]
    return {"entries": entries, "truncated": len(events) > limit, "limit": limit}
