"""The account deletion section of the privacy settings page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from ..conf import app_settings
from .flows import open_request_for


def section_context(request: HttpRequest) -> dict[str, Any]:
    """Return the section's context in one query: the user's open request, if any."""
    return {
        "open_request": open_request_for(request.user),
        "delete_url": reverse("datarights:deletion"),
        "has_grace_period": app_settings.DELETION_GRACE_PERIOD.total_seconds() > 0,
    }
