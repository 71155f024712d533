"""The consent, preferences and holdings sections of the privacy settings page.

Each builder runs a fixed number of queries, whatever the number of purposes, preferences or
history records, so the page's cost does not grow with the site's configuration.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from ..models import ConsentRecord, PrivacyPolicy, PrivacyPolicyAcceptance
from .holdings import holdings_for
from .preferences import preference_values, registered_preferences
from .queries import consent_states

# History rows shown on the page; the full history is in the data export.
HISTORY_LIMIT = 50


def recent_history(user: Any) -> list[ConsentRecord]:
    """Return the user's latest consent records, newest first: one more than the page shows,
    so the caller can tell whether the history was cut."""
    return list(
        ConsentRecord.objects.filter(user=user)
        .select_related("purpose")
        .only("pk", "version", "given", "channel", "created_at", "actor_id", "purpose__name")
        .order_by("-created_at", "-pk")[: HISTORY_LIMIT + 1]
    )


def section_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    states = list(consent_states(user, request).values())
    history = recent_history(user)
    policy = (
        PrivacyPolicy.objects.filter(effective_at__lte=timezone.now())
        .annotate(
            accepted=Exists(
                PrivacyPolicyAcceptance.objects.filter(policy=OuterRef("pk"), user=user)
            ),
            # Whether the user accepted any version: "changed since you accepted" needs one.
            accepted_earlier=Exists(PrivacyPolicyAcceptance.objects.filter(user=user)),
        )
        .order_by("-effective_at")
        .first()
    )
    return {
        "purposes": states,
        "review_count": sum(1 for state in states if state.needs_review),
        "history": history[:HISTORY_LIMIT],
        "history_truncated": len(history) > HISTORY_LIMIT,
        "policy": policy,
    }


def preferences_section_context(request: HttpRequest) -> dict[str, Any]:
    values = preference_values(request.user)
    return {
        "items": [
            {"preference": preference, "value": values[preference.key]}
            for preference in registered_preferences()
        ]
    }


def holdings_section_context(request: HttpRequest) -> dict[str, Any]:
    return {"items": holdings_for(request.user)}
